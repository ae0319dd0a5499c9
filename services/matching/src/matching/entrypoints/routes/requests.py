"""Mentorship requests: asking (idempotent), listing, reading, and each side's answers.

Request views leave out what the viewer may not read (see schemas.requests.RequestOut):
their routes answer with response_model_exclude_unset.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal
from chassis.http import Cursor, Limit, Page, problems
from matching.entrypoints.deps import Creates, IdPath, Service, create_as
from matching.entrypoints.schemas.requests import (
    Decline,
    RequestMentorship,
    RequestOut,
    RequestSummary,
    Text,
)

router = APIRouter(prefix="/v1", tags=["matching"])


@router.post(
    "/programs/{program_id}/requests",
    status_code=201,
    response_model=RequestOut,
    summary="Ask a mentor for mentorship (mentees)",
    responses=problems(403, 404, 409),
    response_model_exclude_unset=True,
)
async def request_mentorship(
    program_id: IdPath,
    body: RequestMentorship,
    principal: CurrentPrincipal,
    service: Service,
    once: Creates,
) -> JSONResponse:
    return await create_as(
        once,
        body,
        RequestOut,
        lambda: service.request_mentorship(
            principal, program_id, mentor_id=body.mentor_id, message=body.message
        ),
        location=lambda r: f"/v1/requests/{r.request_id}",
    )


@router.get(
    "/programs/{program_id}/requests",
    response_model=Page[RequestSummary],
    summary="Your requests (as mentee or mentor)",
    responses=problems(403, 404),
)
async def list_requests(
    program_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    role: Literal["mentee", "mentor"] | None = None,
    status: Literal[
        "open", "info_requested", "accepted", "declined", "withdrawn", "expired", "cancelled"
    ]
    | None = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> dict[str, Any]:
    return await service.mentorships.list_requests(
        principal, program_id, role=role, status=status, cursor=cursor, limit=limit
    )


@router.get(
    "/requests/{request_id}",
    response_model=RequestOut,
    summary="A request (its mentee, mentor or an admin)",
    responses=problems(404),
    response_model_exclude_unset=True,
)
async def get_request(
    request_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.mentorships.get_request(principal, request_id)


@router.post(
    "/requests/{request_id}/accept",
    response_model=RequestOut,
    summary="Accept a request (the mentor)",
    description="The answer carries the mentorship it made (match).",
    responses=problems(403, 404, 409),
    response_model_exclude_unset=True,
)
async def accept_request(
    request_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.accept_request(principal, request_id)


@router.post(
    "/requests/{request_id}/decline",
    response_model=RequestOut,
    summary="Decline a request (the mentor)",
    responses=problems(403, 404, 409),
    response_model_exclude_unset=True,
)
async def decline_request(
    request_id: IdPath, body: Decline, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.decline_request(principal, request_id, reason=body.reason, note=body.note)


@router.post(
    "/requests/{request_id}/ask-info",
    response_model=RequestOut,
    summary="Ask the mentee for more information (the mentor)",
    responses=problems(403, 404, 409),
    response_model_exclude_unset=True,
)
async def ask_for_info(
    request_id: IdPath, body: Text, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.ask_for_info(principal, request_id, question=body.text)


@router.post(
    "/requests/{request_id}/info",
    response_model=RequestOut,
    summary="Answer the mentor's question (the mentee)",
    responses=problems(403, 404, 409),
    response_model_exclude_unset=True,
)
async def provide_info(
    request_id: IdPath, body: Text, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.provide_info(principal, request_id, answer=body.text)


@router.post(
    "/requests/{request_id}/withdraw",
    response_model=RequestOut,
    summary="Withdraw your request (the mentee)",
    responses=problems(403, 404, 409),
    response_model_exclude_unset=True,
)
async def withdraw_request(
    request_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.withdraw_request(principal, request_id)
