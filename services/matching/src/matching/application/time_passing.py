"""Use cases run by the clock: requests lapse and pauses end.

:class:`ExpireDue` looks at one mentor's book when the expiry queue says it is due (the
book itself decides what is due, so a stale or repeated entry is harmless);
:class:`DueBooks` lists what is due from the stored open requests and the pools' timed
pauses (startup, and periodic rescans for books of replicas that went away).
"""

from __future__ import annotations

from datetime import datetime

from matching.application.book_changes import MentorBookChanges
from matching.application.ports import BookRef, Clock, MentorshipReadModel, Pools
from matching.domain.mentor_book import MentorBook


class ExpireDue:
    def __init__(
        self, *, changes: MentorBookChanges, clock: Clock, auto_pause_after_unanswered: int
    ) -> None:
        self.changes = changes
        self.clock = clock
        self.pause_after = auto_pause_after_unanswered

    async def __call__(self, ref: BookRef) -> None:
        tenant_id, program_id, mentor_id = ref
        now = self.clock()

        def command(book: MentorBook) -> None:
            book.expire_due(now, pause_after=self.pause_after)
            book.end_pause_if_due(now)

        await self.changes.change(tenant_id, program_id, mentor_id, command)


class DueBooks:
    def __init__(self, *, read_models: MentorshipReadModel, pools: Pools) -> None:
        self.read_models = read_models
        self.pools = pools

    async def __call__(self) -> list[tuple[datetime, BookRef]]:
        """Open requests (from the read model) and timed pauses (from the pools in memory)."""
        out = []
        for doc in await self.read_models.open_requests():
            ref = (doc["tenant_id"], doc["program_id"], doc["mentor_id"])
            out.append((datetime.fromisoformat(doc["expires_at"]), ref))
        for pool in self.pools.all():
            for member in list(pool.members.values()):
                until = (member.doc.get("pause") or {}).get("until")
                if until:
                    ref = (pool.tenant_id, pool.program_id, member.member_id)
                    out.append((datetime.fromisoformat(until), ref))
        return out
