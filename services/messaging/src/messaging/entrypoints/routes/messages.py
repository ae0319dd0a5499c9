"""Messages: history, send, thread, edit, delete, react, report, hide; read markers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal
from chassis.http import Created, Cursor, Limit, Page, problems
from messaging.entrypoints.deps import (
    ConversationId,
    Creates,
    MessageId,
    ProgramId,
    Service,
    Token,
)
from messaging.entrypoints.schemas import (
    EditIn,
    MessageIn,
    MessageOut,
    ReadIn,
    ReadOut,
    ReasonIn,
    ReportRow,
    ThreadOut,
    items,
)

router = APIRouter(prefix="/v1", tags=["messaging"])
Emoji = Annotated[str, Path(min_length=1, max_length=32)]


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=Page[MessageOut],
    summary="A conversation's messages, newest first (thread replies are in their thread)",
    responses=problems(404),
)
async def history(
    conversation_id: ConversationId,
    principal: CurrentPrincipal,
    service: Service,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[MessageOut]:
    found, next_cursor = await service.history(
        principal, conversation_id, limit=limit, cursor=cursor
    )
    return Page(items=items(found, MessageOut), next_cursor=next_cursor)


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=201,
    response_model=MessageOut,
    summary="Send a message (Markdown), or reply in a thread",
    responses=problems(404, 409, 429),
)
async def send(
    conversation_id: ConversationId,
    body: MessageIn,
    principal: CurrentPrincipal,
    token: Token,
    service: Service,
    once: Creates,
) -> JSONResponse:
    async def create() -> Created:
        sent = await service.send(
            principal,
            token,
            conversation_id,
            body=body.body,
            thread_root=body.thread_root,
            mentions=body.mentions,
            attachments=body.attachments,
        )
        return Created(MessageOut.model_validate(sent), location=f"/v1/messages/{sent['id']}")

    return await once(body, create)


@router.get(
    "/messages/{message_id}/thread",
    response_model=ThreadOut,
    summary="A thread: its first message and every reply, oldest first",
    responses=problems(404),
)
async def thread(message_id: MessageId, principal: CurrentPrincipal, service: Service) -> ThreadOut:
    return ThreadOut.model_validate(await service.thread(principal, message_id))


@router.patch(
    "/messages/{message_id}",
    response_model=MessageOut,
    summary="Edit my message",
    responses=problems(403, 404, 409),
)
async def edit(
    message_id: MessageId, body: EditIn, principal: CurrentPrincipal, service: Service
) -> MessageOut:
    return MessageOut.model_validate(
        await service.change.edit(principal, message_id, body.body, body.mentions)
    )


@router.delete(
    "/messages/{message_id}",
    response_model=MessageOut,
    summary="Delete my message (its content is gone from every read)",
    responses=problems(403, 404),
)
async def delete(
    message_id: MessageId, principal: CurrentPrincipal, service: Service
) -> MessageOut:
    return MessageOut.model_validate(await service.change.delete(principal, message_id))


@router.put(
    "/messages/{message_id}/reactions/{emoji}",
    response_model=MessageOut,
    summary="React to a message",
    responses=problems(404, 409),
)
async def react(
    message_id: MessageId, emoji: Emoji, principal: CurrentPrincipal, service: Service
) -> MessageOut:
    return MessageOut.model_validate(await service.change.react(principal, message_id, emoji, True))


@router.delete(
    "/messages/{message_id}/reactions/{emoji}",
    response_model=MessageOut,
    summary="Take my reaction back",
    responses=problems(404, 409),
)
async def unreact(
    message_id: MessageId, emoji: Emoji, principal: CurrentPrincipal, service: Service
) -> MessageOut:
    return MessageOut.model_validate(
        await service.change.react(principal, message_id, emoji, False)
    )


@router.post(
    "/messages/{message_id}/reports",
    status_code=204,
    summary="Report a message to the program's admins",
    responses=problems(404),
)
async def report(
    message_id: MessageId, body: ReasonIn, principal: CurrentPrincipal, service: Service
) -> Response:
    await service.change.report(principal, message_id, body.reason)
    return Response(status_code=204)


@router.post(
    "/messages/{message_id}/hide",
    response_model=MessageOut,
    summary="Hide a message (program admins): kept in the log, gone from reads",
    responses=problems(404),
)
async def hide(
    message_id: MessageId, body: ReasonIn, principal: CurrentPrincipal, service: Service
) -> MessageOut:
    return MessageOut.model_validate(await service.change.hide(principal, message_id, body.reason))


@router.get(
    "/programs/{program_id}/reports",
    response_model=list[ReportRow],
    summary="Reported messages of a program (program admins)",
    responses=problems(404),
)
async def reports(
    program_id: ProgramId, principal: CurrentPrincipal, service: Service
) -> list[ReportRow]:
    return items(await service.change.reported(principal, program_id), ReportRow)


@router.put(
    "/conversations/{conversation_id}/read",
    response_model=ReadOut,
    summary="I have read up to this message number",
    responses=problems(404),
)
async def mark_read(
    conversation_id: ConversationId, body: ReadIn, principal: CurrentPrincipal, service: Service
) -> ReadOut:
    return ReadOut(up_to=await service.mark_read(principal, conversation_id, body.up_to))
