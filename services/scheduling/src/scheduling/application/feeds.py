"""Private calendar subscription feeds (webcal): a capability URL per member.

Calendar apps (Google Calendar, Outlook) fetch a feed without our tokens, so the URL
itself is the credential: 256 random bits, of which only a SHA-256 hash is stored (a
database leak reveals no usable URL). Creating a feed revokes the member's earlier ones;
a revoked URL answers 410, an unknown one 404.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from chassis.auth import Principal
from chassis.errors import NotFound, Problem
from scheduling.application.ports import Clock, Feeds, MeetingIndex
from scheduling.domain.meeting import Meeting

PAST_DAYS = 60
FUTURE_DAYS = 400
MAX_FEED_MEETINGS = 500


class Gone(Problem):
    status, title = 410, "Gone"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CalendarFeeds:
    feeds: Feeds
    index: MeetingIndex
    clock: Clock

    async def create(self, principal: Principal) -> str:
        """A new feed token (the member's earlier feeds stop working)."""
        await self.feeds.revoke_all(principal.tenant_id, principal.user_id)
        token = secrets.token_urlsafe(32)
        await self.feeds.create(token_hash(token), principal.tenant_id, principal.user_id)
        return token

    async def revoke(self, principal: Principal) -> int:
        return await self.feeds.revoke_all(principal.tenant_id, principal.user_id)

    async def meetings(self, token: str) -> tuple[str, list[Meeting]]:
        """The feed owner and their meetings (404 unknown, 410 revoked)."""
        if not 20 <= len(token) <= 100:
            raise NotFound("no such calendar feed")
        feed = await self.feeds.find(token_hash(token))
        if feed is None:
            raise NotFound("no such calendar feed")
        if feed.revoked:
            raise Gone("this calendar feed was revoked; create a new one")
        now = self.clock.now()
        found = await self.index.of_member(
            feed.tenant_id, feed.user_id, now - PAST_DAYS * 86400, now + FUTURE_DAYS * 86400
        )
        mine = [m for m in found if m.is_member(feed.user_id)]
        return feed.user_id, sorted(mine, key=lambda m: m.starts_at)[:MAX_FEED_MEETINGS]
