"""HTTP API of the matching service under ``/v1``: parse, call the service, shape the reply.

Every route needs a bearer token; the tenant comes from it and scopes every lookup, so an
id from another tenant answers 404. Creating POSTs take an ``Idempotency-Key``; lists are
paginated with an opaque ``cursor`` (both the kit's, :mod:`chassis.http`). Every route
answers a typed model (``schemas.py``) built from what the use case returns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from chassis.auth import CurrentPrincipal, Principal
from chassis.http import (
    Created,
    Cursor,
    IdempotencyKey,
    Limit,
    Page,
    from_app_state,
    idempotent_create,
    problems,
)
from matching.application.service import MatchingService
from matching.entrypoints.schemas import (
    Availability,
    AvailabilityOut,
    Decline,
    EndMentorship,
    GroupOut,
    JoinGroup,
    MatchOut,
    MatchSummary,
    MentorCard,
    OpenGroup,
    PairExplanation,
    Publish,
    PublishOut,
    Recommendations,
    RequestMentorship,
    RequestOut,
    RequestSummary,
    RoundInput,
    RoundList,
    RoundOut,
    RunOut,
    Text,
)

router = APIRouter(prefix="/v1", tags=["matching"])

IdPath = Annotated[str, Path(min_length=1, max_length=128)]
Service = Annotated[MatchingService, Depends(from_app_state("matching"))]
M = TypeVar("M", bound=BaseModel)

#: Request views leave out what the viewer may not read (see schemas.RequestOut): their
#: routes answer with response_model_exclude_unset.


async def create_once(
    service: MatchingService,
    principal: Principal,
    request: Request,
    key: str | None,
    body: BaseModel,
    model: type[M],
    action: Callable[[], Awaitable[dict[str, Any]]],
    location: Callable[[M], str],
) -> JSONResponse:
    """An idempotent create answering ``model`` built from the use case's result."""

    async def create() -> Created:
        out = model.model_validate(await action())
        return Created(out, location=location(out))

    return await idempotent_create(service.idempotency, request, principal, key, body, create)


# --------------------------------------------------------------------------- recommendations


@router.get(
    "/programs/{program_id}/recommendations",
    response_model=Recommendations,
    summary="Your recommended mentors, best first, each with why",
    responses=problems(403, 404),
)
async def my_recommendations(
    program_id: IdPath, principal: CurrentPrincipal, service: Service, limit: Limit = 10
) -> dict[str, Any]:
    return await service.recommendations.recommendations(principal, program_id, limit=limit)


@router.get(
    "/programs/{program_id}/members/{member_id}/recommendations",
    response_model=Recommendations,
    summary="A mentee's recommendations (the mentee or an admin)",
    responses=problems(403, 404),
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
    response_model=PairExplanation,
    summary="Why a mentor is (or is not) a match for you",
    responses=problems(403, 404),
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


@router.get(
    "/programs/{program_id}/mentors/{mentor_id}",
    response_model=MentorCard,
    summary="A mentor's availability",
    responses=problems(404),
)
async def mentor_card(
    program_id: IdPath, mentor_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.mentorships.mentor_card(principal, program_id, mentor_id)


@router.put(
    "/programs/{program_id}/mentors/me/availability",
    response_model=AvailabilityOut,
    summary="Pause or resume taking new mentees (mentors)",
    responses=problems(403, 404, 409),
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
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await create_once(
        service,
        principal,
        request,
        idempotency_key,
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


# --------------------------------------------------------------------------- matches


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


# --------------------------------------------------------------------------- groups


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
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await create_once(
        service,
        principal,
        request,
        idempotency_key,
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
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await create_once(
        service,
        principal,
        request,
        idempotency_key,
        body,
        RequestOut,
        lambda: service.join_group(principal, program_id, group_id, message=body.message),
        location=lambda r: f"/v1/requests/{r.request_id}",
    )


# --------------------------------------------------------------------------- bulk rounds


@router.post(
    "/programs/{program_id}/rounds",
    status_code=201,
    response_model=RunOut,
    summary="Open a bulk matching round and run it (admins, formal programs)",
    responses=problems(403, 404, 409),
)
async def open_round(
    program_id: IdPath,
    body: RoundInput,
    principal: CurrentPrincipal,
    service: Service,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await create_once(
        service,
        principal,
        request,
        idempotency_key,
        body,
        RunOut,
        lambda: service.rounds.open_round(
            principal, program_id, pinned=body.pinned_pairs(), forbidden=body.forbidden_pairs()
        ),
        location=lambda r: f"/v1/programs/{program_id}/rounds/{r.round_id}",
    )


@router.get(
    "/programs/{program_id}/rounds",
    response_model=RoundList,
    summary="The program's matching rounds (admins)",
    responses=problems(403, 404, 409),
)
async def list_rounds(
    program_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return {"items": await service.rounds.list_rounds(principal, program_id)}


@router.get(
    "/programs/{program_id}/rounds/{round_id}",
    response_model=RoundOut,
    summary="A round and its runs (admins)",
    responses=problems(403, 404, 409),
)
async def get_round(
    program_id: IdPath, round_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.rounds.get_round(principal, program_id, round_id)


@router.post(
    "/programs/{program_id}/rounds/{round_id}/runs",
    status_code=201,
    response_model=RunOut,
    summary="Run the round again, with new pins and vetoes (admins)",
    responses=problems(403, 404, 409),
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
    return await create_once(
        service,
        principal,
        request,
        idempotency_key,
        body,
        RunOut,
        lambda: service.rounds.rerun(
            principal,
            program_id,
            round_id,
            pinned=body.pinned_pairs(),
            forbidden=body.forbidden_pairs(),
        ),
        location=lambda r: f"/v1/programs/{program_id}/rounds/{round_id}/runs/{r.run}",
    )


@router.get(
    "/programs/{program_id}/rounds/{round_id}/runs/{run}",
    response_model=RunOut,
    summary="One run: its inputs, pairs with explanations, unmatched mentees with reasons",
    responses=problems(403, 404, 409),
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
    response_model=PublishOut,
    summary="Publish a run: every pair becomes a mentorship (admins)",
    responses=problems(403, 404, 409),
)
async def publish_round(
    program_id: IdPath,
    round_id: IdPath,
    body: Publish,
    principal: CurrentPrincipal,
    service: Service,
) -> dict[str, Any]:
    return await service.rounds.publish(principal, program_id, round_id, run=body.run)
