"""How every change to a mentor's book is made: load, run a command, save, project.

:meth:`MentorBookChanges.change` loads the book (snapshot + the events after it), runs a
domain command, saves what it recorded as one commit (each event's integration event in
the same insert, for the outbox), then brings the read models and pools in line through the
projector. On a concurrent save the book is reloaded and the command re-run, so two
acceptances that raced for the last slot end as one match and one 409 "at capacity".
Within a replica, commands on one book are also serialised by a lock, which keeps
conflicts (and their retries) to the rare cross-replica race.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from prometheus_client import Counter

from chassis.domain import DomainEvent
from chassis.errors import Conflict, Problem
from chassis.eventstore import ConcurrencyError
from matching.application.ports import MentorBooks
from matching.domain.mentor_book import MentorBook, mentor_book_id

T = TypeVar("T")
APPEND_ATTEMPTS = 8
APPEND_CONFLICTS = Counter(
    "matching_desk_append_conflicts_total",
    "Saves of a mentor's book that lost an optimistic-concurrency race and were retried",
)


class Projector(Protocol):
    async def project(self, book: MentorBook, events: Sequence[DomainEvent]) -> None: ...


class MentorBookChanges:
    def __init__(self, books: MentorBooks, projector: Projector) -> None:
        self.books = books
        self.projector = projector
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, stream_id: str) -> asyncio.Lock:
        if len(self._locks) > 10_000:
            for key in [k for k, lock in self._locks.items() if not lock.locked()]:
                del self._locks[key]
        return self._locks.setdefault(stream_id, asyncio.Lock())

    async def _project_latest(self, book: MentorBook, saved: list[DomainEvent]) -> None:
        """Project what ``saved`` touched, from the book's latest state.

        The lock above is per process: with two replicas, one may save the book after the
        other and finish projecting first, and a projection is whole-entry puts of the book
        it was given, so the slower one would leave an older state (a mentor's load one
        behind the matches). So after projecting, look whether the book moved on; if it did,
        project the same entries again from the newer book. Whoever writes last checks last,
        so the read models end at the latest state whatever the interleaving.
        """
        await self.projector.project(book, saved)
        for _ in range(APPEND_ATTEMPTS):
            if not await self.books.moved_past(book.stream_id, book.version):
                return
            book = await self.books.load(book.stream_id)
            await self.projector.project(book, saved)

    async def change(
        self, tenant_id: str, program_id: str, mentor_id: str, command: Callable[[MentorBook], T]
    ) -> tuple[MentorBook, T]:
        """Run ``command`` on the mentor's book and store what it recorded."""
        stream_id = mentor_book_id(tenant_id, program_id, mentor_id)
        async with self._lock(stream_id):
            for attempt in range(APPEND_ATTEMPTS):
                book = await self.books.load(stream_id)
                error: Problem | None = None
                result: Any = None
                try:
                    result = command(book)
                except Problem as exc:
                    # Only expiries recorded before the command failed remain: keep them.
                    error = exc
                if not book.pending:
                    if error is not None:
                        raise error
                    return book, result
                try:
                    saved = await self.books.save(book)
                except ConcurrencyError:
                    APPEND_CONFLICTS.inc()
                    await asyncio.sleep(random.uniform(0.002, 0.02) * (attempt + 1))
                    continue
                await self._project_latest(book, saved)
                if error is not None:
                    raise error
                return book, result
        raise Conflict("the mentor's book kept changing while we retried; please try again")
