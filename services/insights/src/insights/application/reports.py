"""Queries: the reports a program's admins read (and their CSV form).

Each report reads the program's buckets (a fixed number of point reads, whatever the
program's size) and computes with :mod:`insights.domain.health`. ``as_of`` fixes the moment
time-relative rules are judged at (default: now, to the minute), so a report can be
reproduced. A computed report is kept until one of its buckets or the rules change, or the
moment does: a dashboard reloaded within the minute costs a lookup.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chassis.auth import Principal
from insights.application.access import Access
from insights.application.ports import Buckets, Clock, Repository
from insights.domain import health
from insights.domain.check_ins import CheckInAnswer
from insights.domain.projection import BUCKETS, bucket_ids, epoch, merge
from insights.domain.rules import HealthRules, ProgramRules

KINDS = ("members", "applications", "requests", "mentorships")
MEMOISED = 256


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
        self._memo: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()

    @staticmethod
    def bucket_ids_of(tenant_id: str, program_id: str) -> list[str]:
        ids = [bucket_ids(tenant_id, program_id, "program")[0]]
        for kind in KINDS:
            ids += bucket_ids(tenant_id, program_id, kind)
        return ids

    async def state(self, tenant_id: str, program_id: str) -> health.ProgramState:
        parts = await self.buckets.read_many(self.bucket_ids_of(tenant_id, program_id))
        merged: dict[str, dict[str, Any]] = {}
        start = 1
        for kind in KINDS:
            merged[kind] = merge(parts[start : start + BUCKETS[kind]])
            start += BUCKETS[kind]
        return health.ProgramState(
            program_id=program_id,
            config=parts[0].get("config"),
            members=merged["members"],
            applications=merged["applications"],
            requests=merged["requests"],
            mentorships=merged["mentorships"],
        )

    async def rules_of(self, tenant_id: str, program_id: str) -> HealthRules:
        return (await self.rules.load(ProgramRules.stream_of(tenant_id, program_id))).current

    def _as_of(self, as_of: datetime | None) -> int:
        return epoch(as_of) if as_of else epoch(self.clock()) // 60 * 60

    async def _memoised(
        self,
        principal: Principal,
        program_id: str,
        what: str,
        as_of: datetime | None,
        compute: Callable[[health.ProgramState, HealthRules, int], dict[str, Any]],
    ) -> dict[str, Any]:
        caller = await self.access.admin(principal, program_id, f"read the {what} report")
        tenant = caller.tenant_id
        moment = self._as_of(as_of)
        # versions before reading: a write while reading makes the next request recompute
        versions = self.buckets.versions(self.bucket_ids_of(tenant, program_id))
        state, rules = await asyncio.gather(
            self.state(tenant, program_id), self.rules_of(tenant, program_id)
        )
        key = (what, tenant, program_id, moment, versions, rules.model_dump_json())
        report = self._memo.get(key)
        if report is None:
            report = compute(state, rules, moment)
            self._memo[key] = report
            if len(self._memo) > MEMOISED:
                self._memo.popitem(last=False)
        return report

    async def health(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        return await self._memoised(principal, program_id, "health", as_of, health.health_report)

    async def mentorships(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        def compute(state: health.ProgramState, rules: HealthRules, moment: int) -> dict[str, Any]:
            return {
                "program_id": program_id,
                "as_of": health.iso(moment),
                "items": health.mentorships_report(state, rules, moment),
            }

        return await self._memoised(principal, program_id, "mentorships", as_of, compute)

    async def goals(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        def compute(state: health.ProgramState, rules: HealthRules, moment: int) -> dict[str, Any]:
            return health.goals_report(state, moment)

        return await self._memoised(principal, program_id, "goals", as_of, compute)

    async def check_ins(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        """Scores over time and, per round answered by at least K people, the comments
        (public and private, without their authors, in an order that names nobody)."""
        caller = await self.access.admin(principal, program_id, "read the check-in report")
        state = await self.state(caller.tenant_id, program_id)
        moment = self._as_of(as_of)
        report = health.check_in_report(state, moment)
        groups = health.comment_groups(state, moment)
        streams = {
            name: [
                CheckInAnswer.stream_of(caller.tenant_id, match_id, name, user)
                for match_id, user in members
            ]
            for name, members in groups.items()
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
