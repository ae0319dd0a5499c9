"""Use cases: answering a request. The mentor accepts, declines or asks for more
information; the mentee answers the question or withdraws. One class per command.

Each finds the request with the caller's side in it (404 for strangers), refuses the wrong
side (403), runs its command on the mentor's book (which expires a due request first, so an
answer after the deadline is a 409), and returns the request as the caller sees it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from chassis.auth import Principal
from chassis.errors import Forbidden
from matching.application.book_changes import MentorBookChanges
from matching.application.lookups import Lookups
from matching.application.ports import Pools
from matching.application.views import match_document, new_id, request_document, request_view
from matching.domain.member_profiles import capacity_of
from matching.domain.mentor_book import MentorBook


class _Answer:
    side: ClassVar[str]
    action: ClassVar[str]

    def __init__(self, *, changes: MentorBookChanges, lookups: Lookups) -> None:
        self.changes = changes
        self.lookups = lookups

    async def _answer(
        self, principal: Principal, request_id: str, command: Any, *, prepare: Any = None
    ) -> tuple[MentorBook, dict[str, Any]]:
        doc, caller, side = await self.lookups.request_for(principal, request_id)
        if side != self.side:
            raise Forbidden(f"only the request's {self.side} can {self.action}")
        if prepare is not None:
            command = await prepare(doc)
        t, p = doc["tenant_id"], doc["program_id"]
        book, _ = await self.changes.change(t, p, doc["mentor_id"], command)
        await self.lookups.touch(t, p, caller.member_id)
        return book, request_view(request_document(book, request_id), side)


class AcceptRequest(_Answer):
    side, action = "mentor", "accept"

    def __init__(self, *, changes: MentorBookChanges, lookups: Lookups, pools: Pools) -> None:
        super().__init__(changes=changes, lookups=lookups)
        self.pools = pools

    async def __call__(self, principal: Principal, request_id: str) -> dict[str, Any]:
        match_id = new_id("m")

        async def prepare(doc: dict[str, Any]) -> Any:
            t, p, mentor_id = doc["tenant_id"], doc["program_id"], doc["mentor_id"]
            config = await self.lookups.program(t, p)
            capacity = capacity_of(await self.lookups.mentor_profile(t, p, mentor_id), config)
            score = await self._pair_score(t, p, mentor_id, doc["mentee_id"])
            now = self.lookups.clock()
            return lambda book: book.accept(
                request_id, match_id=match_id, capacity=capacity, now=now, score=score
            )

        book, view = await self._answer(principal, request_id, None, prepare=prepare)
        view["match"] = match_document(book, match_id)
        return view

    async def _pair_score(
        self, tenant_id: str, program_id: str, mentor_id: str, mentee_id: str
    ) -> float | None:
        pool = self.pools.get(tenant_id, program_id)
        async with pool.lock:
            if mentor_id not in pool.members or mentee_id not in pool.members:
                return None
            return pool.explain_pair(mentor_id, mentee_id).score


class DeclineRequest(_Answer):
    side, action = "mentor", "decline"

    async def __call__(
        self, principal: Principal, request_id: str, *, reason: str | None, note: str | None
    ) -> dict[str, Any]:
        now = self.lookups.clock()
        _, view = await self._answer(
            principal, request_id, lambda b: b.decline(request_id, reason or "other", note, now)
        )
        return view


class AskForInfo(_Answer):
    side, action = "mentor", "ask info"

    async def __call__(
        self, principal: Principal, request_id: str, *, question: str
    ) -> dict[str, Any]:
        now = self.lookups.clock()
        _, view = await self._answer(
            principal, request_id, lambda b: b.ask_for_info(request_id, question, now)
        )
        return view


class ProvideInfo(_Answer):
    side, action = "mentee", "provide info"

    async def __call__(
        self, principal: Principal, request_id: str, *, answer: str
    ) -> dict[str, Any]:
        now = self.lookups.clock()
        _, view = await self._answer(
            principal, request_id, lambda b: b.provide_info(request_id, answer, now)
        )
        return view


class WithdrawRequest(_Answer):
    side, action = "mentee", "withdraw"

    async def __call__(self, principal: Principal, request_id: str) -> dict[str, Any]:
        now = self.lookups.clock()
        _, view = await self._answer(principal, request_id, lambda b: b.withdraw(request_id, now))
        return view
