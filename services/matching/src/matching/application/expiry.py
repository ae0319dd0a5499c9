"""When requests lapse and pauses end: a schedule of desks to look at again.

Each replica keeps a heap of (due time, desk) for the requests and pauses it created or
saw, rebuilt at startup from the open requests and paused mentors, and re-read
periodically so desks of replicas that went away are not forgotten. At a due time the
desk itself decides (``MentorDesk.expire_due`` / ``end_pause_if_due``), so a stale entry
or one seen twice is harmless. Acting on a request also expires it lazily first.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

log = logging.getLogger("matching.expiry")

DeskRef = tuple[str, str, str]  # tenant, program, mentor


class ExpirySchedule:
    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        sweep_seconds: float,
        rescan_seconds: float,
    ) -> None:
        self.clock = clock
        self.sweep_seconds = sweep_seconds
        self.rescan_seconds = rescan_seconds
        self._heap: list[tuple[datetime, DeskRef]] = []
        self.check_desk: Callable[[DeskRef], Awaitable[None]] | None = None
        self.rescan: Callable[[], Awaitable[list[tuple[datetime, DeskRef]]]] | None = None

    def schedule(self, due: datetime, desk: DeskRef) -> None:
        heapq.heappush(self._heap, (due, desk))

    def __len__(self) -> int:
        return len(self._heap)

    async def reload(self) -> None:
        if self.rescan is None:
            return
        for due, desk in await self.rescan():
            self.schedule(due, desk)

    async def tick(self) -> int:
        """Look at every desk that is due now; returns how many were looked at."""
        now = self.clock()
        due: dict[DeskRef, None] = {}
        while self._heap and self._heap[0][0] <= now:
            due[heapq.heappop(self._heap)[1]] = None
        for desk in due:
            if self.check_desk is None:
                continue
            try:
                await self.check_desk(desk)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("expiring requests of desk %s failed; retrying later", desk)
                self.schedule(now, desk)
        return len(due)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_rescan = loop.time() + self.rescan_seconds
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                if loop.time() >= next_rescan:
                    await self.reload()
                    next_rescan = loop.time() + self.rescan_seconds
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("expiry sweep failed")
