"""Search a program's members by fields and keywords.

The query string is checked here (value lengths, ``custom`` as ``key:value``, the time-zone
range) and turned into :class:`~profiles.adapters.search_index.SearchFilters`; who may see
unapproved mentors is the use case's rule.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from chassis.auth import CurrentPrincipal
from chassis.errors import InvalidInput
from chassis.http import Cursor, limit_query, problems
from profiles.adapters.search_index import SearchFilters
from profiles.entrypoints.deps import SearchMembersCase
from profiles.entrypoints.schemas import SearchPageOut

router = APIRouter(prefix="/v1", tags=["profiles"])

SearchLimit = Annotated[int, limit_query(50)]


@router.get(
    "/programs/{program_id}/search",
    response_model=SearchPageOut,
    summary="Search the program's members by fields and keywords",
    description="Keywords are ranked by relevance (BM25, English stemming, small typos "
    "tolerated) over headline, bio, skills, expertise, goals, interests and keywords. "
    "Filters combine with AND; several values of one filter with OR (skills: all). "
    "Only the program's admins may ask for approved=false (unapproved mentors); others get 403.",
    responses=problems(403, 404),
)
async def search(
    program_id: str,
    principal: CurrentPrincipal,
    search_members: SearchMembersCase,
    q: Annotated[str | None, Query(max_length=200)] = None,
    industry: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    job_function: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    skills: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    languages: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    tz_min: Annotated[float | None, Query(ge=-14, le=14, description="UTC offset, hours")] = None,
    tz_max: Annotated[float | None, Query(ge=-14, le=14)] = None,
    min_years: Annotated[int | None, Query(ge=0, le=80)] = None,
    max_years: Annotated[int | None, Query(ge=0, le=80)] = None,
    role: Literal["mentee", "mentor", "admin"] | None = None,
    approved: Annotated[
        bool | None, Query(description="Mentors approved (true) or not (false: admins only)")
    ] = None,
    accepting: bool | None = None,
    custom: Annotated[
        list[str], Query(max_length=20, description="key:value, e.g. track:backend")
    ] = [],  # noqa: B006
    cursor: Cursor = None,
    limit: SearchLimit = 20,
) -> SearchPageOut:
    for name, values in (
        ("industry", industry),
        ("job_function", job_function),
        ("skills", skills),
        ("languages", languages),
        ("custom", custom),
    ):
        if any(len(v) > 200 for v in values):
            raise InvalidInput(f"{name}: each value is at most 200 characters", field=name)
    pairs = []
    for item in custom:
        key, sep, value = item.partition(":")
        if not sep or not key or not value:
            raise InvalidInput(f"custom filter {item!r} must be key:value", field="custom")
        pairs.append((key.strip(), value.strip()))
    if tz_min is not None and tz_max is not None and tz_max < tz_min:
        raise InvalidInput("tz_max is below tz_min", field="tz_max")
    filters = SearchFilters(
        industries=industry,
        job_functions=job_function,
        skills=skills,
        languages=languages,
        tz_min_minutes=None if tz_min is None else round(tz_min * 60),
        tz_max_minutes=None if tz_max is None else round(tz_max * 60),
        min_years=min_years,
        max_years=max_years,
        role=role,
        approved=approved,
        accepting=accepting,
        custom=pairs,
    )
    page = await search_members(principal, program_id, q, filters, limit=limit, cursor=cursor)
    return SearchPageOut.model_validate(page)
