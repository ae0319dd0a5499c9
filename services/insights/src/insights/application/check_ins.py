"""Use cases: a mentorship's check-ins (the rounds due, answering one).

The rounds come from the program's rules and the match date (:mod:`insights.domain.schedule`);
an answer is a new stream whose first commit is the answer, so answering twice is a 409
decided by the store's unique index. The pair reads each other's public comments; a
private comment is read by its author here, and by the program's admins in the check-in
report (inside groups of at least five respondents).
"""

from __future__ import annotations

import asyncio
from typing import Any

from chassis.auth import Principal
from chassis.errors import Conflict
from insights import contracts_mapping
from insights.application.access import Access, Pair
from insights.application.ports import Clock, Repository
from insights.domain.check_ins import CheckInAnswer, CheckInAnswered, Visibility
from insights.domain.health import iso
from insights.domain.projection import epoch
from insights.domain.rules import ProgramRules
from insights.domain.schedule import round_named, rounds


class CheckIns:
    def __init__(
        self,
        *,
        access: Access,
        answers: Repository[CheckInAnswer],
        rules: Repository[ProgramRules],
        clock: Clock,
    ) -> None:
        self.access = access
        self.answers = answers
        self.rules = rules
        self.clock = clock

    async def _rules(self, pair: Pair) -> Any:
        stream = ProgramRules.stream_of(pair.caller.tenant_id, pair.caller.program_id)
        return (await self.rules.load(stream)).current

    async def read(self, principal: Principal, program_id: str, match_id: str) -> dict[str, Any]:
        pair = await self.access.pair(principal, program_id, match_id)
        rules = await self._rules(pair)
        m = pair.mentorship
        due = rounds(m["made"], m["ended"], rules, epoch(self.clock()))
        streams = [
            (r, user, CheckInAnswer.stream_of(pair.caller.tenant_id, match_id, r.name, user))
            for r in due
            for user in pair.people
        ]
        loaded = await asyncio.gather(*(self.answers.load(s) for _, _, s in streams))
        items: dict[str, dict[str, Any]] = {
            r.name: {
                "round": r.name,
                "due_at": iso(r.due_at),
                "mine": None,
                "answers": 0,
                "public": [],
            }
            for r in due
        }
        for (r, user, _), answer in zip(streams, loaded, strict=True):
            if answer.answer is None:
                continue
            item, a = items[r.name], answer.answer
            item["answers"] += 1
            shown = {"role": a["role"], "score": a["score"], "comment": a["comment"]}
            if user == pair.caller.user_id:
                item["mine"] = {
                    **shown,
                    "visibility": a["visibility"],
                    "answered_at": a["answered_at"],
                }
            elif a["visibility"] == "public":
                item["public"].append({**shown, "user_id": user})
        return {"match_id": match_id, "items": list(items.values())}

    async def answer(
        self,
        principal: Principal,
        program_id: str,
        match_id: str,
        round_name: str,
        *,
        score: int,
        comment: str,
        visibility: Visibility,
    ) -> dict[str, Any]:
        pair = await self.access.pair(principal, program_id, match_id)
        rules = await self._rules(pair)
        now = self.clock()
        m = pair.mentorship
        if round_named(round_name, m["made"], m["ended"], rules, epoch(now)) is None:
            raise Conflict(f"check-in {round_name!r} is not due for this mentorship", field="round")
        stream = CheckInAnswer.stream_of(
            pair.caller.tenant_id, match_id, round_name, pair.caller.user_id
        )
        answer = await self.answers.load(stream)
        event = CheckInAnswered(
            tenant_id=pair.caller.tenant_id,
            program_id=program_id,
            match_id=match_id,
            round=round_name,
            user_id=pair.caller.user_id,
            role=pair.role,
            score=score,
            comment=comment,
            visibility=visibility,
            answered_at=now,
        )
        answer.answer_with(event)
        await self.answers.save(
            answer,
            messages=[contracts_mapping.check_in_answered(answer, event)],
            tenant_id=pair.caller.tenant_id,
        )
        return {
            "answer_id": CheckInAnswer.answer_id_of(stream),
            "round": round_name,
            "role": pair.role,
            "score": score,
            "comment": comment,
            "visibility": visibility,
            "answered_at": now,
        }
