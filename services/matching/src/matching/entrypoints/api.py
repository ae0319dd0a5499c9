"""HTTP API of the matching service under ``/v1``: parse, call the service, shape the reply.

Every route needs a bearer token; the tenant comes from it and scopes every lookup, so an
id from another tenant answers 404. Creating POSTs take an ``Idempotency-Key``; lists are
paginated with an opaque ``cursor``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal, Principal
from matching.application.service import MatchingService
from matching.entrypoints.schemas import (
    Availability,
    Decline,
    EndMentorship,
    JoinGroup,
    OpenGroup,
    Publish,
    RequestMentorship,
    RoundInput,
    Text,
)

router = APIRouter(prefix="/v1", tags=["matching"])

IdPath = Annotated[str, Path(min_length=1, max_length=128)]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retrying a create with the same key returns the first response.",
    ),
]


def get_service(request: Request) -> MatchingService:
    service: MatchingService = request.app.state.matching
    return service


Service = Annotated[MatchingService, Depends(get_service)]
Outcome = tuple[int, Any, dict[str, str]]


async def idempotent(
    service: MatchingService,
    principal: Principal,
    request: Request,
    key: str | None,
    body: Any,
    action: Callable[[], Awaitable[Any]],
    *,
    location: Callable[[Any], str],
) -> JSONResponse:
    async def run() -> Outcome:
        result = jsonable_encoder(await action())
        return 201, result, {"Location": location(result)}

    return await service.idempotency.run(
        key=key,
        scope=(principal.tenant_id, principal.user_id, request.method, request.url.path),
        body=body,
        action=run,
    )


# --------------------------------------------------------------------------- recommendations


@router.get(
    "/programs/{program_id}/recommendations",
    summary="Your recommended mentors, best first, each with why",
)
async def my_recommendations(
    program_id: IdPath, principal: CurrentPrincipal, service: Service, limit: Limit = 10
) -> dict[str, Any]:
    return await service.recommendations.recommendations(principal, program_id, limit=limit)


@router.get(
    "/programs/{program_id}/members/{member_id}/recommendations",
    summary="A mentee's recommendations (the mentee or an admin)",
)
async def member_recommendations(
    program_id: IdPath,
    member_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    limit: Limit = 10,
) -> dict[str, Any]:
    return await service.recommendations.recommendations_for(
        principal, program_id, member_id, limit=limit
    )


@router.get(
    "/programs/{program_id}/mentors/{mentor_id}/explanation",
    summary="Why a mentor is (or is not) a match for you",
)
async def explain_mentor(
    program_id: IdPath,
    mentor_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    mentee_id: Annotated[str | None, Query(max_length=128)] = None,
) -> dict[str, Any]:
    return await service.recommendations.explain_pair(principal, program_id, mentor_id, mentee_id)


# --------------------------------------------------------------------------- mentors


@router.get("/programs/{program_id}/mentors/{mentor_id}", summary="A mentor's availability")
async def mentor_card(
    program_id: IdPath, mentor_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.mentorships.mentor_card(principal, program_id, mentor_id)


@router.put(
    "/programs/{program_id}/mentors/me/availability",
    summary="Pause or resume taking new mentees (mentors)",
)
async def set_availability(
    program_id: IdPath, body: Availability, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    if body.paused:
        return await service.pause_mentor(
            principal, program_id, until=body.until, reason=body.reason
        )
    return await service.resume_mentor(principal, program_id)


# --------------------------------------------------------------------------- requests


@router.post(
    "/programs/{program_id}/requests",
    status_code=201,
    summary="Ask a mentor for mentorship (mentees)",
)
async def request_mentorship(
    program_id: IdPath,
    body: RequestMentorship,
    principal: CurrentPrincipal,
    service: Service,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def action() -> dict[str, Any]:
        return await service.request_mentorship(
            principal, program_id, mentor_id=body.mentor_id, message=body.message
        )

    return await idempotent(
        service,
        principal,
        request,
        idempotency_key,
        body.model_dump(),
        action,
        location=lambda r: f"/v1/requests/{r['request_id']}",
    )


@router.get("/programs/{program_id}/requests", summary="Your requests (as mentee or mentor)")
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


@router.get("/requests/{request_id}", summary="A request (its mentee, mentor or an admin)")
async def get_request(
    request_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.mentorships.get_request(principal, request_id)


@router.post("/requests/{request_id}/accept", summary="Accept a request (the mentor)")
async def accept_request(
    request_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.accept_request(principal, request_id)


@router.post("/requests/{request_id}/decline", summary="Decline a request (the mentor)")
async def decline_request(
    request_id: IdPath, body: Decline, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.decline_request(principal, request_id, reason=body.reason, note=body.note)


@router.post(
    "/requests/{request_id}/ask-info", summary="Ask the mentee for more information (the mentor)"
)
async def ask_for_info(
    request_id: IdPath, body: Text, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.ask_for_info(principal, request_id, question=body.text)


@router.post("/requests/{request_id}/info", summary="Answer the mentor's question (the mentee)")
async def provide_info(
    request_id: IdPath, body: Text, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.provide_info(principal, request_id, answer=body.text)


@router.post("/requests/{request_id}/withdraw", summary="Withdraw your request (the mentee)")
async def withdraw_request(
    request_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.withdraw_request(principal, request_id)


# --------------------------------------------------------------------------- matches


@router.get("/programs/{program_id}/matches", summary="Your mentorships")
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


@router.get("/matches/{match_id}", summary="A mentorship (its members or an admin)")
async def get_match(
    match_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.mentorships.get_match(principal, match_id)


@router.post("/matches/{match_id}/end", summary="End a mentorship (either side or an admin)")
async def end_match(
    match_id: IdPath, body: EndMentorship, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.end_mentorship(principal, match_id, reason=body.reason)


# --------------------------------------------------------------------------- groups


@router.post(
    "/programs/{program_id}/groups", status_code=201, summary="Open a mentoring group (mentors)"
)
async def open_group(
    program_id: IdPath,
    body: OpenGroup,
    principal: CurrentPrincipal,
    service: Service,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await idempotent(
        service,
        principal,
        request,
        idempotency_key,
        body.model_dump(),
        lambda: service.open_group(
            principal,
            program_id,
            title=body.title,
            description=body.description,
            capacity=body.capacity,
        ),
        location=lambda g: f"/v1/programs/{program_id}/groups/{g['group_id']}",
    )


@router.get("/programs/{program_id}/groups", summary="The program's mentoring groups")
async def list_groups(
    program_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> dict[str, Any]:
    return await service.mentorships.list_groups(principal, program_id, cursor=cursor, limit=limit)


@router.get("/programs/{program_id}/groups/{group_id}", summary="A mentoring group")
async def get_group(
    program_id: IdPath, group_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.mentorships.get_group(principal, program_id, group_id)


@router.post(
    "/programs/{program_id}/groups/{group_id}/requests",
    status_code=201,
    summary="Ask to join a group (mentees)",
)
async def join_group(
    program_id: IdPath,
    group_id: IdPath,
    body: JoinGroup,
    principal: CurrentPrincipal,
    service: Service,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def action() -> dict[str, Any]:
        return await service.join_group(principal, program_id, group_id, message=body.message)

    return await idempotent(
        service,
        principal,
        request,
        idempotency_key,
        body.model_dump(),
        action,
        location=lambda r: f"/v1/requests/{r['request_id']}",
    )


# --------------------------------------------------------------------------- bulk rounds


@router.post(
    "/programs/{program_id}/rounds",
    status_code=201,
    summary="Open a bulk matching round and run it (admins, formal programs)",
)
async def open_round(
    program_id: IdPath,
    body: RoundInput,
    principal: CurrentPrincipal,
    service: Service,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await idempotent(
        service,
        principal,
        request,
        idempotency_key,
        body.model_dump(),
        lambda: service.rounds.open_round(
            principal, program_id, pinned=body.pinned_pairs(), forbidden=body.forbidden_pairs()
        ),
        location=lambda r: f"/v1/programs/{program_id}/rounds/{r['round_id']}",
    )


@router.get("/programs/{program_id}/rounds", summary="The program's matching rounds (admins)")
async def list_rounds(
    program_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return {"items": await service.rounds.list_rounds(principal, program_id)}


@router.get("/programs/{program_id}/rounds/{round_id}", summary="A round and its runs (admins)")
async def get_round(
    program_id: IdPath, round_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.rounds.get_round(principal, program_id, round_id)


@router.post(
    "/programs/{program_id}/rounds/{round_id}/runs",
    status_code=201,
    summary="Run the round again, with new pins and vetoes (admins)",
)
async def rerun_round(
    program_id: IdPath,
    round_id: IdPath,
    body: RoundInput,
    principal: CurrentPrincipal,
    service: Service,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await idempotent(
        service,
        principal,
        request,
        idempotency_key,
        body.model_dump(),
        lambda: service.rounds.rerun(
            principal,
            program_id,
            round_id,
            pinned=body.pinned_pairs(),
            forbidden=body.forbidden_pairs(),
        ),
        location=lambda r: f"/v1/programs/{program_id}/rounds/{round_id}/runs/{r['run']}",
    )


@router.get(
    "/programs/{program_id}/rounds/{round_id}/runs/{run}",
    summary="One run: its inputs, pairs with explanations, unmatched mentees with reasons",
)
async def get_run(
    program_id: IdPath,
    round_id: IdPath,
    run: Annotated[int, Path(ge=1, le=10_000)],
    principal: CurrentPrincipal,
    service: Service,
) -> dict[str, Any]:
    return await service.rounds.get_run(principal, program_id, round_id, run)


@router.post(
    "/programs/{program_id}/rounds/{round_id}/publish",
    summary="Publish a run: every pair becomes a mentorship (admins)",
)
async def publish_round(
    program_id: IdPath,
    round_id: IdPath,
    body: Publish,
    principal: CurrentPrincipal,
    service: Service,
) -> dict[str, Any]:
    return await service.rounds.publish(principal, program_id, round_id, run=body.run)
