"""Message changes -> the integration events published about them (ids and sizes only)."""

from __future__ import annotations

from datetime import datetime

from chassis.eventstore import Publish
from mentorship_contracts.events.messaging import (
    MessageDeletedV1,
    MessageEditedV1,
    MessageSentV1,
)
from messaging.domain.conversation import Conversation
from messaging.domain.message import Message


def _match(conversation: Conversation) -> str | None:
    return next(iter(conversation.matches), None) if conversation.kind == "pair" else None


def sent(conversation: Conversation, message: Message) -> Publish:
    return Publish(
        MessageSentV1(
            tenant_id=conversation.tenant_id,
            program_id=conversation.program_id,
            conversation_id=conversation.stream_id,
            message_id=message.stream_id,
            match_id=_match(conversation),
            sender_user_id=message.sender,
            recipient_user_ids=[m for m in conversation.members if m != message.sender],
            sent_at=datetime.fromisoformat(message.sent_at),
            length=len(message.source),
            attachment_count=len(message.attachments),
            reply_to_message_id=message.thread_root,
        )
    )


def edited(conversation: Conversation, message: Message, at: str) -> Publish:
    return Publish(
        MessageEditedV1(
            tenant_id=conversation.tenant_id,
            program_id=conversation.program_id,
            conversation_id=conversation.stream_id,
            message_id=message.stream_id,
            editor_user_id=message.sender,
            edited_at=datetime.fromisoformat(at),
            length=len(message.source),
        )
    )


def deleted(conversation: Conversation, message: Message, reason: str, at: str) -> Publish:
    return Publish(
        MessageDeletedV1(
            tenant_id=conversation.tenant_id,
            program_id=conversation.program_id,
            conversation_id=conversation.stream_id,
            message_id=message.stream_id,
            reason=reason,
            deleted_at=datetime.fromisoformat(at),
        )
    )
