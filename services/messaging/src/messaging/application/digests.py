"""E-mail digests: one mail per batching window to a member who was away, never one per
message and never while they are active.

A new message queues its recipient's window (an insert: many messages, one entry). When
the window is over, a replica claims the entry by inserting its id (exactly one replica
wins, and a restarted one finds it claimed), then sends the digest or records why not.
The mail says how many unread messages are waiting where, not what they say.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from chassis.auth import Principal
from chassis.errors import InvalidInput
from messaging.application.ports import (
    ConversationIndex,
    DigestQueue,
    Mailer,
    Presence,
    Repository,
)
from messaging.application.reading import Unread
from messaging.domain.reader import DigestPreference, Frequency, preference_stream

log = logging.getLogger("messaging.digests")


class SetDigestPreference:
    def __init__(self, preferences: Repository[DigestPreference]) -> None:
        self.preferences = preferences

    async def __call__(self, principal: Principal, frequency: Frequency) -> dict[str, Any]:
        if frequency != "off" and not principal.email:
            raise InvalidInput(
                "your sign-in carries no e-mail address (the token's email claim): "
                "digests cannot be sent",
                field="frequency",
            )
        preference = await self.preferences.load(
            preference_stream(principal.tenant_id, principal.user_id)
        )
        preference.set(principal.tenant_id, principal.user_id, frequency, principal.email)
        await self.preferences.save(preference)
        return {"frequency": preference.frequency, "email": preference.email}

    async def get(self, principal: Principal) -> dict[str, Any]:
        preference = await self.preferences.load(
            preference_stream(principal.tenant_id, principal.user_id)
        )
        return {"frequency": preference.frequency, "email": preference.email}


class SendDigests:
    def __init__(
        self,
        queue: DigestQueue,
        preferences: Repository[DigestPreference],
        presence: Presence,
        index: ConversationIndex,
        unread: Unread,
        mailer: Mailer,
        *,
        link: str,
    ) -> None:
        self.queue, self.preferences, self.presence = queue, preferences, presence
        self.index, self.unread, self.mailer, self.link = index, unread, mailer, link

    async def run_once(self, now: float | None = None) -> int:
        sent = 0
        for item in await self.queue.due(time.time() if now is None else now):
            if not await self.queue.claim(item["_id"]):
                continue
            outcome = await self._deliver(item)
            await self.queue.finish(item["_id"], outcome)
            sent += outcome == "sent"
        return sent

    async def _deliver(self, item: dict[str, Any]) -> str:
        tenant, user = item["tenant_id"], item["user_id"]
        preference = await self.preferences.load(preference_stream(tenant, user))
        if preference.frequency == "off" or not preference.email:
            return "off"
        if await self.presence.active(tenant, user):
            return "active"
        principal = Principal(user_id=user, tenant_id=tenant, organization_id=tenant)
        lines = []
        total = 0
        for row in await self.index.of_member(tenant, user):
            count = await self.unread.count(principal, row["conversation_id"])
            if count:
                total += count
                title = row.get("title") or f"your {row.get('kind', 'conversation')} conversation"
                lines.append(
                    f"- {count} in {title}: {self.link}/conversations/{row['conversation_id']}"
                )
        if not total:
            return "nothing_unread"
        text = (
            f"You have {total} unread message{'s' if total != 1 else ''}:\n\n"
            + "\n".join(lines)
            + "\n\nChange how often you get this mail in your messaging settings.\n"
        )
        await self.mailer.send(
            to=preference.email,
            subject=f"{total} unread message{'s' if total != 1 else ''} on Mentorship",
            text=text,
            message_id=f"<digest-{item['_id'].replace('|', '.')}@mentorship.messaging>",
        )
        log.info("digest sent", extra={"unread": total})
        return "sent"
