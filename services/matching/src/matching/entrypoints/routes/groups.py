"""Mentoring groups: opening one (idempotent), listing, reading, and asking to join."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal
from chassis.http import Cursor, Limit, Page, problems
from matching.entrypoints.deps import Creates, IdPath, Service, create_as
from matching.entrypoints.schemas.groups import GroupOut, JoinGroup, OpenGroup
from matching.entrypoints.schemas.requests import RequestOut

router = APIRouter(prefix="/v1", tags=["matching"])


@router.post(
    "/programs/{program_id}/groups",
    status_code=201,
    response_model=GroupOut,
    summary="Open a mentoring group (mentors)",
    responses=problems(403, 404, 409),
)
async def open_group(
    program_id: IdPath,
    body: OpenGroup,
    principal: CurrentPrincipal,
    service: Service,
    once: Creates,
) -> JSONResponse:
    return await create_as(
        once,
        body,
        GroupOut,
        lambda: service.open_group(
            principal,
            program_id,
            title=body.title,
            description=body.description,
            capacity=body.capacity,
        ),
        location=lambda g: f"/v1/programs/{program_id}/groups/{g.group_id}",
    )


@router.get(
    "/programs/{program_id}/groups",
    response_model=Page[GroupOut],
    summary="The program's mentoring groups",
    responses=problems(404),
)
async def list_groups(
    program_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> dict[str, Any]:
    return await service.mentorships.list_groups(principal, program_id, cursor=cursor, limit=limit)


@router.get(
    "/programs/{program_id}/groups/{group_id}",
    response_model=GroupOut,
    summary="A mentoring group",
    responses=problems(404),
)
async def get_group(
    program_id: IdPath, group_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.mentorships.get_group(principal, program_id, group_id)


@router.post(
    "/programs/{program_id}/groups/{group_id}/requests",
    status_code=201,
    response_model=RequestOut,
    summary="Ask to join a group (mentees)",
    responses=problems(403, 404, 409),
    response_model_exclude_unset=True,
)
async def join_group(
    program_id: IdPath,
    group_id: IdPath,
    body: JoinGroup,
    principal: CurrentPrincipal,
    service: Service,
    once: Creates,
) -> JSONResponse:
    return await create_as(
        once,
        body,
        RequestOut,
        lambda: service.join_group(principal, program_id, group_id, message=body.message),
        location=lambda r: f"/v1/requests/{r.request_id}",
    )
