"""What a route is handed: the service's use cases (built once in bootstrap) and ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from chassis.errors import Unauthorized
from chassis.http import CreateOnce, create_once, from_app_state
from messaging.application.conversations import (
    ListMyConversations,
    ManageRooms,
    OpenDirect,
    SetProgramPolicy,
    SetSharingConsent,
    ViewConversation,
)
from messaging.application.digests import SetDigestPreference
from messaging.application.messages import ChangeMessage, SendMessage
from messaging.application.reading import History, MarkRead, MyThreads, Search, Thread
from messaging.application.streaming import Streams


@dataclass(frozen=True)
class UseCases:
    list_conversations: ListMyConversations
    view_conversation: ViewConversation
    open_direct: OpenDirect
    rooms: ManageRooms
    consent: SetSharingConsent
    policy: SetProgramPolicy
    send: SendMessage
    change: ChangeMessage
    history: History
    thread: Thread
    mark_read: MarkRead
    threads: MyThreads
    search: Search
    digest: SetDigestPreference
    streams: Streams


Service = Annotated[UseCases, Depends(from_app_state("messaging"))]
#: a send retried with the same Idempotency-Key posts once (the kit's idempotency store)
Creates = Annotated[CreateOnce, create_once(from_app_state("idempotency"))]
ConversationId = Annotated[str, Path(min_length=1, max_length=200)]
MessageId = Annotated[str, Path(min_length=1, max_length=220)]
ProgramId = Annotated[str, Path(min_length=1, max_length=128)]


def bearer_token(request: Request) -> str:
    """The caller's own token, for calls made on their behalf (documents)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("missing bearer token (Authorization: Bearer <jwt>)")
    return token.strip()


Token = Annotated[str, Depends(bearer_token)]
