"""Queries: the reports a program's admins read (and their CSV form).

Each report reads the program's buckets (a fixed number of point reads, whatever the
program's size) and computes with :mod:`insights.domain.health`. ``as_of`` fixes the moment
time-relative rules are judged at (default: now), so a report can be reproduced.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from chassis.auth import Principal
from insights.adapters.buckets import merge
from insights.application.access import Access
from insights.application.ports import Buckets, Clock, Repository
from insights.domain import health
from insights.domain.check_ins import CheckInAnswer
from insights.domain.projection import BUCKETS, bucket_ids, epoch
from insights.domain.rules import HealthRules, ProgramRules

KINDS = ("members", "applications", "requests", "mentorships")


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

    async def state(self, tenant_id: str, program_id: str) -> health.ProgramState:
        ids = [bucket_ids(tenant_id, program_id, "program")[0]]
        for kind in KINDS:
            ids += bucket_ids(tenant_id, program_id, kind)
        parts = await self.buckets.read_many(ids)
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
        return epoch(as_of or self.clock())

    async def _admin_inputs(
        self, principal: Principal, program_id: str, what: str
    ) -> tuple[health.ProgramState, HealthRules]:
        caller = await self.access.admin(principal, program_id, f"read the {what} report")
        return await asyncio.gather(
            self.state(caller.tenant_id, program_id),
            self.rules_of(caller.tenant_id, program_id),
        )

    async def health(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        state, rules = await self._admin_inputs(principal, program_id, "health")
        return health.health_report(state, rules, self._as_of(as_of))

    async def mentorships(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        state, rules = await self._admin_inputs(principal, program_id, "mentorships")
        moment = self._as_of(as_of)
        return {
            "program_id": program_id,
            "as_of": health.iso(moment),
            "items": health.mentorships_report(state, rules, moment),
        }

    async def goals(
        self, principal: Principal, program_id: str, as_of: datetime | None
    ) -> dict[str, Any]:
        state, _ = await self._admin_inputs(principal, program_id, "goals")
        return health.goals_report(state, self._as_of(as_of))

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
