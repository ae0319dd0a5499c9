"""Messaging: that a message was sent, never what it said."""

from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field

from ._types import MAX_PEOPLE, Id, UserId
from .base import EventPayload

__all__ = ["MessageSentV1"]


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
