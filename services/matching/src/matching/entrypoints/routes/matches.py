"""Mentorships: a member's list, one match, and ending it."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from chassis.auth import CurrentPrincipal
from chassis.http import Cursor, Limit, Page, problems
from matching.entrypoints.deps import IdPath, Service
from matching.entrypoints.schemas.matches import EndMentorship, MatchOut, MatchSummary

router = APIRouter(prefix="/v1", tags=["matching"])


@router.get(
    "/programs/{program_id}/matches",
    response_model=Page[MatchSummary],
    summary="Your mentorships",
    responses=problems(403, 404),
)
async def list_matches(
    program_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    status: Literal["active", "ended"] | None = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> dict[str, Any]:
    return await service.mentorships.list_matches(
        principal, program_id, status=status, cursor=cursor, limit=limit
    )


@router.get(
    "/matches/{match_id}",
    response_model=MatchOut,
    summary="A mentorship (its members or an admin)",
    responses=problems(404),
)
async def get_match(
    match_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.mentorships.get_match(principal, match_id)


@router.post(
    "/matches/{match_id}/end",
    response_model=MatchOut,
    summary="End a mentorship (either side or an admin)",
    responses=problems(403, 404, 409),
)
async def end_match(
    match_id: IdPath, body: EndMentorship, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.end_mentorship(principal, match_id, reason=body.reason)
