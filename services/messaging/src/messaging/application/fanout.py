"""Telling members: every change a member can see goes to each member's feed, then to
every replica's sockets, then (for new messages, to people away) into the digest queue.

The feed is the source of truth for real time: a position is claimed per member by an
insert, so a client that resumes from its last position is given exactly what it missed.
The live notice on Kafka says *who* has something new, at which positions, and the entry
(ids only): a socket at the position before sends it without reading the feed; any other
socket reads its feed. A lost notice delays a socket until its next heartbeat, it loses
nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from messaging.application.ports import DigestQueue, Feed, LiveBus, Repository
from messaging.domain.reader import DigestPreference, preference_stream

PREFERENCE_SECONDS = 5.0
CACHED_MEMBERS = 100_000


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
        self._preference: dict[str, tuple[float, str, str | None]] = {}  # at, frequency, email
        self._queued: dict[str, tuple[str, int]] = {}  # frequency, window start queued

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
        positions = await self.feed.append_many(tenant_id, list(members), entry)
        users = list(positions)
        await self.bus.notify(
            tenant_id,
            entry["conversation_id"],
            users,
            positions=[positions[u] for u in users],
            entry=entry,
        )
        if digest_for:
            await asyncio.gather(*(self._queue_digest(tenant_id, u) for u in digest_for))

    async def typing(
        self, tenant_id: str, members: Sequence[str], conversation_id: str, user_id: str
    ) -> None:
        """Typing is ephemeral: no position, not stored, only to sockets connected now."""
        others = [m for m in members if m != user_id]
        await self.bus.notify(tenant_id, conversation_id, others, typing_user_id=user_id)

    async def _queue_digest(self, tenant_id: str, user_id: str) -> None:
        """Queues the member's current window once. The preference is reread after
        ``PREFERENCE_SECONDS`` (a change made on any replica is followed within that; the
        sender rereads it before mailing, so "off" always holds)."""
        key, now = f"{tenant_id}|{user_id}", time.time()
        cached = self._preference.get(key)
        if cached is None or now - cached[0] > PREFERENCE_SECONDS:
            preference = await self.preferences.load(preference_stream(tenant_id, user_id))
            cached = (now, preference.frequency, preference.email)
            if len(self._preference) > CACHED_MEMBERS:
                self._preference.clear()
                self._queued.clear()
            self._preference[key] = cached
        _, frequency, email = cached
        if frequency == "off" or not email:
            return
        start, due = self.windows.window(frequency, now)
        if self._queued.get(key) == (frequency, start):
            return  # queued by this replica already: one entry per window
        await self.digests.enqueue(tenant_id, user_id, start, due)
        self._queued[key] = (frequency, start)
