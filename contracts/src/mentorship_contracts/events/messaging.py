"""Messaging: that a message was sent, edited, deleted or read, never what it said."""

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field

from ._types import MAX_PEOPLE, Id, ShortText, UserId
from .base import ContractModel, EventPayload

__all__ = [
    "LiveEntry",
    "LiveNoticeV1",
    "MessageDeletedV1",
    "MessageEditedV1",
    "MessageReadV1",
    "MessageSentV1",
]


class MessageSentV1(EventPayload):
    """A message was posted to a conversation.

    No body and no preview: messages are visible to conversation members only, and every
    consumer of this topic (analytics, notifications, extensions) is a stranger to the
    conversation. A notifier that wants to show the text fetches it from the messaging API
    *as the recipient*, which enforces membership. ``length`` and ``attachment_count``
    are enough for engagement reports.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.message.sent"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "message-sent"

    program_id: Id
    conversation_id: Id
    message_id: Id
    match_id: Id | None = Field(default=None, description="The match the conversation serves.")
    sender_user_id: UserId
    recipient_user_ids: Annotated[list[UserId], Field(max_length=MAX_PEOPLE)]
    sent_at: AwareDatetime
    length: Annotated[int, Field(ge=0, le=100_000)] = Field(description="Characters in the body.")
    attachment_count: Annotated[int, Field(ge=0, le=100)] = 0
    reply_to_message_id: Id | None = None


class MessageEditedV1(EventPayload):
    """The sender changed a message's text (the new text is not here either)."""

    EVENT_TYPE: ClassVar[str] = "mentorship.message.edited"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "message-edited"

    program_id: Id
    conversation_id: Id
    message_id: Id
    editor_user_id: UserId
    edited_at: AwareDatetime
    length: Annotated[int, Field(ge=0, le=100_000)]


class MessageDeletedV1(EventPayload):
    """A message's content is gone: deleted by its sender, hidden by a program admin, or
    erased with its sender. A consumer that derived anything from the message (a harvested
    answer, a search entry) removes it."""

    EVENT_TYPE: ClassVar[str] = "mentorship.message.deleted"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "message-deleted"

    program_id: Id
    conversation_id: Id
    message_id: Id
    reason: Literal["deleted", "hidden", "erased"]
    deleted_at: AwareDatetime


class MessageReadV1(EventPayload):
    """A member read a conversation up to a message (read receipts, engagement)."""

    EVENT_TYPE: ClassVar[str] = "mentorship.message.read"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "message-read"

    program_id: Id
    conversation_id: Id
    reader_user_id: UserId
    up_to_message_id: Id | None = None
    up_to_number: Annotated[int, Field(ge=0)]
    read_at: AwareDatetime


class LiveEntry(ContractModel):
    """A feed entry as a live notice carries it: what changed and ids, never text."""

    kind: ShortText
    conversation_id: Id
    change: ShortText | None = None
    message_id: Id | None = None
    user_id: UserId | None = None
    up_to: Annotated[int, Field(ge=0)] | None = None
    emoji: ShortText | None = None
    on: bool | None = None
    at: float | None = None


class LiveNoticeV1(EventPayload):
    """Internal to the messaging service's replicas: these members have something new in
    their feeds (or someone is typing). Ids only; each replica reads the feeds of its own
    connected members. Not a contract for other services (it may change with messaging)."""

    EVENT_TYPE: ClassVar[str] = "mentorship.messaging.live_notice"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "messaging-live"

    conversation_id: Id
    user_ids: Annotated[list[UserId], Field(max_length=MAX_PEOPLE)]
    typing_user_id: UserId | None = Field(
        default=None, description="Set when this notice only says that someone is typing."
    )
    positions: Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=MAX_PEOPLE)] | None = (
        Field(
            default=None,
            description="Each member's new feed position (same order as user_ids): a socket "
            "at the position before takes the entry from the notice, without reading its feed.",
        )
    )
    entry: LiveEntry | None = Field(
        default=None, description="The feed entry these positions hold (never text)."
    )
