"""Conversations: mine, one, direct ones, rooms and their members, consent, policy."""

from __future__ import annotations

from fastapi import APIRouter

from chassis.auth import CurrentPrincipal
from chassis.http import problems
from messaging.entrypoints.deps import ConversationId, ProgramId, Service
from messaging.entrypoints.schemas import (
    ConsentIn,
    ConversationOut,
    ConversationRow,
    DirectIn,
    MemberIn,
    PolicyIn,
    PolicyOut,
    RoomIn,
    items,
)

router = APIRouter(prefix="/v1", tags=["messaging"])


@router.get("/conversations", response_model=list[ConversationRow], summary="My conversations")
async def my_conversations(principal: CurrentPrincipal, service: Service) -> list[ConversationRow]:
    return items(await service.list_conversations(principal), ConversationRow)


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationOut,
    summary="One of my conversations",
    responses=problems(404),
)
async def view_conversation(
    conversation_id: ConversationId, principal: CurrentPrincipal, service: Service
) -> ConversationOut:
    return ConversationOut.model_validate(
        await service.view_conversation(principal, conversation_id)
    )


@router.post(
    "/conversations/direct",
    response_model=ConversationOut,
    summary="Open (or find) a direct conversation with a member, where the program allows",
    responses=problems(403, 404),
)
async def open_direct(
    body: DirectIn, principal: CurrentPrincipal, service: Service
) -> ConversationOut:
    return ConversationOut.model_validate(
        await service.open_direct(principal, body.program_id, body.user_id)
    )


@router.put(
    "/conversations/{conversation_id}/consent",
    response_model=ConversationOut,
    summary="Consent (or not) to sharing useful exchanges of this conversation with the program",
    responses=problems(404),
)
async def consent(
    conversation_id: ConversationId, body: ConsentIn, principal: CurrentPrincipal, service: Service
) -> ConversationOut:
    return ConversationOut.model_validate(
        await service.consent(principal, conversation_id, body.consented)
    )


@router.post(
    "/rooms",
    status_code=201,
    response_model=ConversationOut,
    summary="Open a group room (program admins)",
    responses=problems(404),
)
async def open_room(body: RoomIn, principal: CurrentPrincipal, service: Service) -> ConversationOut:
    return ConversationOut.model_validate(
        await service.rooms.open(principal, body.program_id, body.title, body.members)
    )


@router.post(
    "/rooms/{conversation_id}/members",
    response_model=ConversationOut,
    summary="Add a program member to a room (program admins)",
    responses=problems(404),
)
async def add_member(
    conversation_id: ConversationId, body: MemberIn, principal: CurrentPrincipal, service: Service
) -> ConversationOut:
    return ConversationOut.model_validate(
        await service.rooms.add(principal, conversation_id, body.user_id)
    )


@router.delete(
    "/rooms/{conversation_id}/members/{user_id}",
    response_model=ConversationOut,
    summary="Remove a member from a room (program admins)",
    responses=problems(404),
)
async def remove_member(
    conversation_id: ConversationId, user_id: str, principal: CurrentPrincipal, service: Service
) -> ConversationOut:
    return ConversationOut.model_validate(
        await service.rooms.remove(principal, conversation_id, user_id[:255])
    )


@router.put(
    "/programs/{program_id}/messaging-policy",
    response_model=PolicyOut,
    summary="Allow or forbid direct conversations in a program (program admins)",
    responses=problems(404),
)
async def set_policy(
    program_id: ProgramId, body: PolicyIn, principal: CurrentPrincipal, service: Service
) -> PolicyOut:
    return PolicyOut.model_validate(
        await service.policy(principal, program_id, body.direct_conversations)
    )
