"""Queries: the reports a program's admins read (and their CSV form).

Each report reads the program's buckets (a fixed number of point reads, whatever the
program's size) and adds up each bucket's *part* (:mod:`insights.domain.report_parts`).
A part is kept until its bucket or the rules change, or the moment passes its ``until``,
so a report after one event re-computes one bucket's share, and a report a minute later
only the buckets with a mentorship whose judgement may have moved. ``as_of`` fixes the
moment time-relative rules are judged at (default: now, to the minute), so a report can
be reproduced. A whole report is also kept while nothing it read changed: a dashboard
reloaded within the minute costs a lookup.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from chassis.auth import Principal
from insights.application.access import Access
from insights.application.ports import Buckets, Clock, Repository
from insights.domain import health
from insights.domain import report_parts as parts
from insights.domain.check_ins import CheckInAnswer
from insights.domain.projection import BUCKETS, Entries, bucket_ids, epoch, merge
from insights.domain.rules import HealthRules, ProgramRules

KINDS = ("members", "applications", "requests", "mentorships")
MEMOISED = 256
PARTS_KEPT = 8192
P = TypeVar("P")


class Parts:
    """Each bucket's share of a report, kept while its bucket is unchanged (the same
    version) and the moment is in ``[as_of it was computed at, until)``."""

    def __init__(self, limit: int = PARTS_KEPT) -> None:
        self.limit = limit
        self._held: OrderedDict[tuple[Any, ...], tuple[Any, int, int, Any]] = OrderedDict()

    def get(
        self,
        key: tuple[Any, ...],
        version: Any,
        moment: int,
        compute: Callable[[], parts.Timed[P]],
    ) -> P:
        """A part that holds from the moment it is computed for until its ``until``."""
        held = self._held.get(key)
        if held is not None and held[0] == version and held[1] <= moment < held[2]:
            self._held.move_to_end(key)
            return held[3]
        timed = compute()
        self._held[key] = (version, moment, timed.until, timed.value)
        self._held.move_to_end(key)
        if len(self._held) > self.limit:
            self._held.popitem(last=False)
        return timed.value

    def timeless(self, key: tuple[Any, ...], version: Any, compute: Callable[[], P]) -> P:
        """A part no moment changes (members, requests, goals)."""
        return self.get(key, version, -health.FOREVER, lambda: parts.Timed(compute()))

    def clear(self) -> None:
        self._held.clear()


class Reports:
    def __init__(
        self,
        *,
        buckets: Buckets,
        access: Access,
        rules: Repository[ProgramRules],
        answers: Repository[CheckInAnswer],
        clock: Clock,
    ) -> None:
        self.buckets = buckets
        self.access = access
        self.rules = rules
        self.answers = answers
        self.clock = clock
        self.parts = Parts()
        self._memo: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()

    @staticmethod
    def bucket_ids_of(tenant_id: str, program_id: str) -> list[str]:
        ids = [bucket_ids(tenant_id, program_id, "program")[0]]
        for kind in KINDS:
            ids += bucket_ids(tenant_id, program_id, kind)
        return ids

    async def state(self, tenant_id: str, program_id: str) -> health.ProgramState:
        """The whole program's entries, merged (the nudge scan walks them)."""
        read = await self.buckets.read_many(self.bucket_ids_of(tenant_id, program_id))
        merged: dict[str, Entries] = {}
        start = 1
        for kind in KINDS:
            merged[kind] = merge(read[start : start + BUCKETS[kind]])
            start += BUCKETS[kind]
        return health.ProgramState(
            program_id=program_id,
            config=read[0].get("config"),
            members=merged["members"],
            applications=merged["applications"],
            requests=merged["requests"],
            mentorships=merged["mentorships"],
        )

    async def rules_of(self, tenant_id: str, program_id: str) -> HealthRules:
        return (await self.rules.load(ProgramRules.stream_of(tenant_id, program_id))).current

    def _versions(self, ids: list[str]) -> list[tuple[int, int]]:
        return [self.buckets.version(b) for b in ids]

    def _as_of(self, as_of: datetime | None) -> int:
        return epoch(as_of) if as_of else epoch(self.clock()) // 60 * 60

    async def _memoised(
        self,
        principal: Principal,
        program_id: str,
        what: str,
        as_of: datetime | None,
        compute: Callable[[Program, int], dict[str, Any]],
    ) -> dict[str, Any]:
        caller = await self.access.admin(principal, program_id, f"read the {what} report")
        tenant = caller.tenant_id
        moment = self._as_of(as_of)
        ids = self.bucket_ids_of(tenant, program_id)
        # versions before reading: a write while reading makes the next request recompute
        each = self._versions(ids)
        rules = await self.rules_of(tenant, program_id)
        key = (what, tenant, program_id, moment, tuple(each), rules.model_dump_json())
        report = self._memo.get(key)
        if report is None:
            read = await self.buckets.read_many(ids)
            program = Program(self.parts, ids, each, read, rules)
            report = compute(program, moment)
            self._memo[key] = report
            if len(self._memo) > MEMOISED:
                self._memo.popitem(last=False)
        return report

    async def health(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        def compute(p: Program, moment: int) -> dict[str, Any]:
            t = health.Thresholds.of(p.rules)
            return parts.health_report(
                program_id,
                p.entries("program")[0].get("config"),
                p.rules,
                moment,
                members=p.timeless("members", parts.members_part),
                pending=sum(p.timeless("applications", parts.pending_applications)),
                requests=p.timeless("requests", parts.requests_part),
                mentorships=p.timed(
                    "mentorships",
                    moment,
                    lambda e: parts.mentorships_part(e, t, moment),
                    what="health",
                ),
            )

        return await self._memoised(principal, program_id, "health", as_of, compute)

    async def mentorships(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        def compute(p: Program, moment: int) -> dict[str, Any]:
            t = health.Thresholds.of(p.rules)
            erased = parts.erased_of(p.timeless("members", parts.members_part))

            def shown(user_id: str) -> str:
                return health.ERASED if user_id in erased else user_id

            rows = p.timed(
                "mentorships",
                moment,
                lambda e: parts.rows_part(e, t, moment, shown),
                what="rows",
                extra=erased,
            )
            return {
                "program_id": program_id,
                "as_of": health.iso(moment),
                "items": parts.mentorships_report(rows),
            }

        return await self._memoised(principal, program_id, "mentorships", as_of, compute)

    async def goals(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        def compute(p: Program, moment: int) -> dict[str, Any]:
            rows = p.timeless("mentorships", parts.goal_rows_part, what="goals")
            return parts.goals_report(program_id, moment, rows)

        return await self._memoised(principal, program_id, "goals", as_of, compute)

    async def check_ins(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        """Scores over time and, per round answered by at least K people, the comments
        (public and private, without their authors, in an order that names nobody)."""
        caller = await self.access.admin(principal, program_id, "read the check-in report")
        tenant = caller.tenant_id
        moment = self._as_of(as_of)
        ids = self.bucket_ids_of(tenant, program_id)
        versions = self._versions(ids)
        read = await self.buckets.read_many(ids)
        program = Program(self.parts, ids, versions, read, HealthRules())  # answers need none
        answered = program.timed(
            "mentorships", moment, lambda e: parts.answers_part(e, moment), what="answers"
        )
        report = parts.check_in_report(program_id, moment, answered)
        groups = parts.comment_groups(answered)
        streams = {
            name: [CheckInAnswer.stream_of(tenant, match_id, name, user) for match_id, user in who]
            for name, who in groups.items()
        }
        loaded = await asyncio.gather(
            *(self.answers.load(s) for names in streams.values() for s in names)
        )
        answers = iter(loaded)
        comments = []
        for name, names in streams.items():
            texts = []
            for _ in names:
                answer = next(answers).answer or {}
                if answer.get("comment"):
                    texts.append(
                        {
                            "score": answer["score"],
                            "visibility": answer["visibility"],
                            "comment": answer["comment"],
                        }
                    )
            texts.sort(key=lambda t: (t["comment"], t["score"], t["visibility"]))
            comments.append({"round": name, "comments": texts})
        return {**report, "comments_by_round": comments}


class Program:
    """One program's buckets as read for one report, and their parts through the cache."""

    def __init__(
        self,
        cache: Parts,
        ids: list[str],
        versions: list[tuple[int, int]],
        read: list[Entries],
        rules: HealthRules,
    ) -> None:
        self.cache = cache
        self.rules = rules
        self.rules_key = rules.model_dump_json()
        self._by_kind: dict[str, list[tuple[str, tuple[int, int], Entries]]] = {}
        for bucket_id, version, entries in zip(ids, versions, read, strict=True):
            kind = bucket_id.split("|")[2]
            self._by_kind.setdefault(kind, []).append((bucket_id, version, entries))

    def entries(self, kind: str) -> list[Entries]:
        return [entries for _, _, entries in self._by_kind[kind]]

    def timeless(self, kind: str, compute: Callable[[Entries], P], *, what: str = "") -> list[P]:
        return [
            self.cache.timeless(
                (what or kind, bucket_id), version, functools.partial(compute, entries)
            )
            for bucket_id, version, entries in self._by_kind[kind]
        ]

    def timed(
        self,
        kind: str,
        moment: int,
        compute: Callable[[Entries], parts.Timed[P]],
        *,
        what: str = "",
        extra: Any = None,
    ) -> list[P]:
        """Parts that depend on the moment (and the rules, and ``extra``)."""
        return [
            self.cache.get(
                (what or kind, bucket_id, self.rules_key, extra),
                version,
                moment,
                functools.partial(compute, entries),
            )
            for bucket_id, version, entries in self._by_kind[kind]
        ]
