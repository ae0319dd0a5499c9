"""Telling members: every change a member can see goes to each member's feed, then to
every replica's sockets, then (for new messages, to people away) into the digest queue.

The feed is the source of truth for real time: a position is claimed per member by an
insert, so a client that resumes from its last position is given exactly what it missed.
The live notice on Kafka only says *who* has something new; a lost notice delays a
socket until its next heartbeat, it loses nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from messaging.application.ports import DigestQueue, Feed, LiveBus, Repository
from messaging.domain.reader import DigestPreference, preference_stream

FEED_WRITES_AT_ONCE = 32


class DigestWindows:
    """Which batching window a message falls in, per frequency (seconds per window)."""

    def __init__(self, hourly_seconds: float, daily_seconds: float) -> None:
        self.lengths = {"hourly": hourly_seconds, "daily": daily_seconds}

    def window(self, frequency: str, now: float) -> tuple[int, float]:
        length = self.lengths[frequency]
        start = int(now // length * length)
        return start, start + length


class Fanout:
    def __init__(
        self,
        feed: Feed,
        bus: LiveBus,
        digests: DigestQueue,
        preferences: Repository[DigestPreference],
        windows: DigestWindows,
    ) -> None:
        self.feed, self.bus, self.digests = feed, bus, digests
        self.preferences, self.windows = preferences, windows

    async def tell(
        self,
        tenant_id: str,
        members: Sequence[str],
        entry: dict[str, Any],
        *,
        digest_for: Sequence[str] = (),
    ) -> None:
        """Append ``entry`` to each member's feed, wake their sockets, queue digests."""
        entry = {**entry, "at": time.time()}
        for start in range(0, len(members), FEED_WRITES_AT_ONCE):
            chunk = members[start : start + FEED_WRITES_AT_ONCE]
            await asyncio.gather(*(self.feed.append(tenant_id, user, entry) for user in chunk))
        await self.bus.notify(tenant_id, entry["conversation_id"], list(members))
        for user in digest_for:
            await self._queue_digest(tenant_id, user)

    async def typing(
        self, tenant_id: str, members: Sequence[str], conversation_id: str, user_id: str
    ) -> None:
        """Typing is ephemeral: no position, not stored, only to sockets connected now."""
        others = [m for m in members if m != user_id]
        await self.bus.notify(tenant_id, conversation_id, others, typing_user_id=user_id)

    async def _queue_digest(self, tenant_id: str, user_id: str) -> None:
        preference = await self.preferences.load(preference_stream(tenant_id, user_id))
        if preference.frequency == "off" or not preference.email:
            return
        start, due = self.windows.window(preference.frequency, time.time())
        await self.digests.enqueue(tenant_id, user_id, start, due)
