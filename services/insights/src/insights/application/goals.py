"""Use cases: a mentorship's goals and milestones, written by its own people only.

Who they are comes from ``match-made`` (:meth:`Access.pair`); the goal plan is an
aggregate in insights' event store, and every change publishes ``goal-updated`` (state
and counts, no words) from the same commit, which is how reports learn of it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from chassis.auth import Principal
from chassis.errors import PreconditionFailed
from insights import contracts_mapping
from insights.application.access import Access, Pair
from insights.application.ports import Clock, Repository
from insights.domain.goals import GoalPlan


def view(plan: GoalPlan) -> dict[str, Any]:
    return {
        "match_id": plan.match_id,
        "version": plan.version,
        "items": [
            {
                "goal_id": g["goal_id"],
                "title": g["title"],
                "description": g["description"],
                "due_in_days": g["due_in_days"],
                "due_on": plan.due_on(g),
                "progress_percent": GoalPlan.progress(g),
                "status": GoalPlan.status(g),
                "milestones": [dict(m) for m in g["milestones"]],
            }
            for g in plan.live_goals()
        ],
    }


class Goals:
    def __init__(self, *, access: Access, plans: Repository[GoalPlan], clock: Clock) -> None:
        self.access = access
        self.plans = plans
        self.clock = clock

    async def _plan(self, pair: Pair, expected: int | None) -> GoalPlan:
        plan = await self.plans.load(GoalPlan.stream_of(pair.caller.tenant_id, pair.match_id))
        if expected is not None and expected != plan.version:
            raise PreconditionFailed(
                f"the goals changed since version {expected} (now {plan.version}); reload",
                field="If-Match",
            )
        return plan

    async def _save(self, pair: Pair, plan: GoalPlan) -> dict[str, Any]:
        messages = contracts_mapping.goal_updates(plan, pair.caller.user_id, self.clock())
        await self.plans.save(plan, messages=messages, tenant_id=pair.caller.tenant_id)
        return view(plan)

    async def read(self, principal: Principal, program_id: str, match_id: str) -> dict[str, Any]:
        pair = await self.access.pair(principal, program_id, match_id)
        plan = await self._plan(pair, None)
        return {**view(plan), "match_id": match_id}

    async def set_goal(
        self,
        principal: Principal,
        program_id: str,
        match_id: str,
        *,
        title: str,
        description: str,
        due_in_days: int | None,
        milestones: list[str],
    ) -> tuple[str, dict[str, Any]]:
        pair = await self.access.pair(principal, program_id, match_id)
        pair.require_open()
        plan = await self._plan(pair, None)
        goal_id = f"goal-{uuid.uuid4().hex[:12]}"
        made = datetime.fromtimestamp(pair.mentorship["made"], UTC)
        plan.set_goal(
            tenant_id=pair.caller.tenant_id,
            program_id=program_id,
            match_id=match_id,
            match_date=date(made.year, made.month, made.day),
            goal_id=goal_id,
            title=title,
            description=description,
            due_in_days=due_in_days,
            milestones=milestones,
            user_id=pair.caller.user_id,
        )
        return goal_id, await self._save(pair, plan)

    async def change_goal(
        self,
        principal: Principal,
        program_id: str,
        match_id: str,
        goal_id: str,
        expected: int | None,
        changes: dict[str, Any],
    ) -> dict[str, Any]:
        pair = await self.access.pair(principal, program_id, match_id)
        pair.require_open()
        plan = await self._plan(pair, expected)
        plan.change_goal(goal_id, user_id=pair.caller.user_id, **changes)
        return await self._save(pair, plan)

    async def add_milestone(
        self, principal: Principal, program_id: str, match_id: str, goal_id: str, title: str
    ) -> dict[str, Any]:
        pair = await self.access.pair(principal, program_id, match_id)
        pair.require_open()
        plan = await self._plan(pair, None)
        plan.add_milestone(goal_id, title, pair.caller.user_id)
        return await self._save(pair, plan)

    async def mark_milestone(
        self,
        principal: Principal,
        program_id: str,
        match_id: str,
        goal_id: str,
        milestone_id: str,
        done: bool,
    ) -> dict[str, Any]:
        pair = await self.access.pair(principal, program_id, match_id)
        pair.require_open()
        plan = await self._plan(pair, None)
        plan.mark_milestone(goal_id, milestone_id, done, pair.caller.user_id)
        return await self._save(pair, plan)

    async def remove_goal(
        self, principal: Principal, program_id: str, match_id: str, goal_id: str
    ) -> dict[str, Any]:
        pair = await self.access.pair(principal, program_id, match_id)
        plan = await self._plan(pair, None)
        plan.remove_goal(goal_id, pair.caller.user_id)
        return await self._save(pair, plan)
