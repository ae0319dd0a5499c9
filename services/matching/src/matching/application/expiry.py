"""When requests lapse and pauses end: a queue of mentors' books to look at again.

Each replica keeps a heap of (due time, book) for the requests and pauses it created or
saw (:class:`ExpiryQueue`, fed by the book projector), rebuilt at startup from the open
requests and paused mentors and re-read periodically so books of replicas that went away
are not forgotten (:class:`ExpirySweeper`). At a due time the book itself decides
(``MentorBook.expire_due`` / ``end_pause_if_due``), so a stale entry or one seen twice is
harmless. Acting on a request also expires it lazily first.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from matching.application.ports import BookRef, Clock

log = logging.getLogger("matching.expiry")


class ExpiryQueue:
    def __init__(self) -> None:
        self._heap: list[tuple[datetime, BookRef]] = []

    def schedule(self, due: datetime, book: BookRef) -> None:
        heapq.heappush(self._heap, (due, book))

    def take_due(self, now: datetime) -> list[BookRef]:
        due: dict[BookRef, None] = {}
        while self._heap and self._heap[0][0] <= now:
            due[heapq.heappop(self._heap)[1]] = None
        return list(due)

    def __len__(self) -> int:
        return len(self._heap)


class ExpirySweeper:
    def __init__(
        self,
        queue: ExpiryQueue,
        *,
        check: Callable[[BookRef], Awaitable[None]],
        rescan: Callable[[], Awaitable[list[tuple[datetime, BookRef]]]],
        clock: Clock,
        sweep_seconds: float,
        rescan_seconds: float,
    ) -> None:
        self.queue = queue
        self.check = check
        self.rescan = rescan
        self.clock = clock
        self.sweep_seconds = sweep_seconds
        self.rescan_seconds = rescan_seconds

    async def reload(self) -> None:
        for due, book in await self.rescan():
            self.queue.schedule(due, book)

    async def tick(self) -> int:
        """Look at every book that is due now; returns how many were looked at."""
        now = self.clock()
        due = self.queue.take_due(now)
        for book in due:
            try:
                await self.check(book)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("expiring requests of book %s failed; retrying later", book)
                self.queue.schedule(now, book)
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
