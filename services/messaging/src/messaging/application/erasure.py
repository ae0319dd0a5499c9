"""Erasure: a member erased from a program (``profile-changed`` with ``erased``) has every
exchange of that program's conversations still awaiting their consent cancelled (their
unconsented words never reach the library; what they consented to stays there, and the
library anonymises it), every message they sent there scrubbed (text and attachments
gone from the read model and from the stored events), and leaves those conversations."""

from __future__ import annotations

import logging

from messaging import contracts_mapping
from messaging.application.conversations import ConversationChanges
from messaging.application.messages import Projection, now
from messaging.application.ports import (
    ConversationIndex,
    MessageViews,
    PendingExchanges,
    Redaction,
    Repository,
)
from messaging.domain.conversation import Conversation
from messaging.domain.message import Message

log = logging.getLogger("messaging.erasure")


class EraseMember:
    def __init__(
        self,
        index: ConversationIndex,
        conversations: Repository[Conversation],
        messages: Repository[Message],
        views: MessageViews,
        projection: Projection,
        redaction: Redaction,
        changes: ConversationChanges,
        exchanges: PendingExchanges,
    ) -> None:
        self.index, self.conversations, self.messages = index, conversations, messages
        self.views, self.projection, self.redaction = views, projection, redaction
        self.changes, self.exchanges = changes, exchanges

    async def __call__(self, tenant_id: str, program_id: str, user_id: str) -> int:
        rows = await self.index.of_member(tenant_id, user_id, include_former=True)
        conversation_ids = [r["conversation_id"] for r in rows if r["program_id"] == program_id]
        # first: a consent arriving while the texts are scrubbed must find the exchange closed
        cancelled = await self.exchanges.author_erased(tenant_id, conversation_ids, user_id)
        scrubbed = 0
        for mid in await self.views.sent_by(tenant_id, user_id, conversation_ids):
            message = await self.messages.load(mid)
            if not message.exists or message.scrubbed:
                continue
            conversation = await self.conversations.load(message.conversation_id)
            at = now()
            message.scrub(at)
            await self.messages.save(
                message, messages=[contracts_mapping.deleted(conversation, message, "erased", at)]
            )
            await self.redaction.redact(mid)
            await self.projection.project(message)
            await self.projection.tell(conversation, message, "message.updated", "erased")
            scrubbed += 1
        for conversation_id in conversation_ids:
            await self.changes.change(conversation_id, lambda c: c.leave(user_id, "erased"))
        log.info("erased member's messages", extra={"scrubbed": scrubbed, "cancelled": cancelled})
        return scrubbed
