"""HTTP API of the knowledge service under ``/v1``: parse, call the use case, answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from chassis.auth import CurrentPrincipal
from chassis.http import ExpectedVersion, RequiredVersion, problems, set_etag
from knowledge.application.drafts import DraftChanges
from knowledge.application.library import Mode
from knowledge.entrypoints.deps import IdPath, Service
from knowledge.entrypoints.schemas import (
    CoverageOut,
    DraftEdit,
    EntryOut,
    EntrySummary,
    TopicOut,
    VoteOut,
    WithdrawnOut,
)

router = APIRouter(prefix="/v1/programs/{program_id}/knowledge", tags=["knowledge"])
TopicQuery = Annotated[str | None, Query(min_length=1, max_length=100)]
LimitQuery = Annotated[int, Query(ge=1, le=50)]


@router.get(
    "/search",
    response_model=list[EntrySummary],
    summary="Search the program's library by words (typos forgiven) and by meaning",
    responses=problems(404),
)
async def search(
    program_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    q: Annotated[str, Query(min_length=1, max_length=300)],
    topic: TopicQuery = None,
    mode: Mode = "hybrid",
    limit: LimitQuery = 10,
) -> list[dict[str, Any]]:
    return await service.library.search(
        principal, program_id, q, topic=topic, mode=mode, limit=limit
    )


@router.get(
    "/entries",
    response_model=list[EntrySummary],
    summary="Browse the library, newest first, optionally by topic",
    responses=problems(404),
)
async def browse(
    program_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    topic: TopicQuery = None,
    limit: LimitQuery = 20,
) -> list[dict[str, Any]]:
    return await service.library.browse(principal, program_id, topic, limit)


@router.get(
    "/topics",
    response_model=list[TopicOut],
    summary="The library's topics (from the program's vocabulary) and their entry counts",
    responses=problems(404),
)
async def topics(
    program_id: IdPath, principal: CurrentPrincipal, service: Service
) -> list[dict[str, Any]]:
    return await service.library.topics(principal, program_id)


@router.get(
    "/drafts",
    response_model=list[EntryOut],
    summary="My drafts to review (exchanges I wrote in, redacted)",
    responses=problems(404),
)
async def my_drafts(
    program_id: IdPath, principal: CurrentPrincipal, service: Service
) -> list[dict[str, Any]]:
    return await service.library.my_drafts(principal, program_id)


@router.get(
    "/entries/{entry_id}",
    response_model=EntryOut,
    summary="An entry (a draft: its authors only)",
    responses=problems(404),
)
async def entry(
    program_id: IdPath,
    entry_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
) -> dict[str, Any]:
    view = await service.library.entry(principal, program_id, entry_id)
    set_etag(response, view["version"])
    return view


@router.patch(
    "/entries/{entry_id}",
    response_model=EntryOut,
    summary="Edit my draft (text is redacted again; approvals start over)",
    responses=problems(404, 409, 412, 428),
)
async def edit_draft(
    program_id: IdPath,
    entry_id: IdPath,
    body: DraftEdit,
    principal: CurrentPrincipal,
    service: Service,
    version: RequiredVersion,
    response: Response,
) -> dict[str, Any]:
    changes = DraftChanges(**body.model_dump())
    await service.edit(principal, program_id, entry_id, changes, version)
    view = await service.library.entry(principal, program_id, entry_id)
    set_etag(response, view["version"])
    return view


@router.post(
    "/entries/{entry_id}/approval",
    response_model=EntryOut,
    summary="Approve my draft as it is; the last author's approval publishes it",
    responses=problems(404, 409, 412),
)
async def approve_draft(
    program_id: IdPath,
    entry_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    version: ExpectedVersion,
    response: Response,
) -> dict[str, Any]:
    await service.approve(principal, program_id, entry_id, version)
    view = await service.library.entry(principal, program_id, entry_id)
    set_etag(response, view["version"])
    return view


@router.post(
    "/entries/{entry_id}/withdrawal",
    response_model=WithdrawnOut,
    summary="Withdraw an entry or draft I wrote in (any author, any time): it is gone at once",
    responses=problems(404),
)
async def withdraw(
    program_id: IdPath, entry_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    await service.withdrawals.by_author(principal, program_id, entry_id)
    return {"id": entry_id, "status": "withdrawn"}


@router.put(
    "/entries/{entry_id}/helpful",
    response_model=VoteOut,
    summary="Mark an entry helpful (one vote per member; repeating it changes nothing)",
    responses=problems(404),
)
async def vote_helpful(
    program_id: IdPath, entry_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.library.vote(principal, program_id, entry_id)


@router.get(
    "/coverage",
    response_model=CoverageOut,
    summary="Admins: expertise areas covered, thin or missing, and mentors who could fill them",
    responses=problems(403, 404),
)
async def coverage(
    program_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.coverage(principal, program_id)
