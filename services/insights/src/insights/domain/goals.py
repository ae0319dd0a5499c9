"""Goals and milestones of a mentorship, owned by its pair (or group).

One aggregate per mentorship (stream ``goals:<tenant>:<match>``) holds all its goals, so a
goal's ETag is the plan's version. Due dates are relative to the match date: a goal set
with ``due_in_days=90`` is due 90 days after the match, whenever it was written down.
Progress is a manual percentage, or, once a goal has milestones, the share of them done.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chassis.domain import Aggregate, DomainEvent, applies
from chassis.errors import Conflict, InvalidInput, NotFound

MAX_GOALS = 20
MAX_MILESTONES = 20


class GoalSet(DomainEvent):
    TYPE = "GoalSet"
    tenant_id: str
    program_id: str
    match_id: str
    goal_id: str
    title: str
    description: str = ""
    due_in_days: int | None = None
    match_date: date
    milestones: list[dict[str, Any]] = []
    by_user_id: str


class GoalChanged(DomainEvent):
    TYPE = "GoalChanged"
    goal_id: str
    title: str | None = None
    description: str | None = None
    due_in_days: int | None = None
    clear_due: bool = False
    progress_percent: int | None = None
    by_user_id: str


class MilestoneAdded(DomainEvent):
    TYPE = "MilestoneAdded"
    goal_id: str
    milestone_id: str
    title: str
    by_user_id: str


class MilestoneMarked(DomainEvent):
    TYPE = "MilestoneMarked"
    goal_id: str
    milestone_id: str
    done: bool
    by_user_id: str


class GoalRemoved(DomainEvent):
    TYPE = "GoalRemoved"
    goal_id: str
    by_user_id: str


class GoalPlan(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.program_id = ""
        self.match_id = ""
        self.match_date = ""
        self.goals: dict[str, dict[str, Any]] = {}

    @staticmethod
    def stream_of(tenant_id: str, match_id: str) -> str:
        return f"goals:{tenant_id}:{match_id}"

    # --- reading ---------------------------------------------------------------------

    def goal(self, goal_id: str) -> dict[str, Any]:
        goal = self.goals.get(goal_id)
        if goal is None or goal["removed"]:
            raise NotFound("goal not found in this mentorship", field="goal_id")
        return goal

    def live_goals(self) -> list[dict[str, Any]]:
        return [g for g in self.goals.values() if not g["removed"]]

    @staticmethod
    def progress(goal: dict[str, Any]) -> int:
        milestones = goal["milestones"]
        if milestones:
            return round(100 * sum(1 for m in milestones if m["done"]) / len(milestones))
        return int(goal["progress_percent"])

    @classmethod
    def status(cls, goal: dict[str, Any]) -> str:
        if goal["removed"]:
            return "removed"
        return "completed" if cls.progress(goal) >= 100 else "open"

    def due_on(self, goal: dict[str, Any]) -> date | None:
        if goal["due_in_days"] is None:
            return None
        return date.fromisoformat(self.match_date) + timedelta(days=goal["due_in_days"])

    # --- commands --------------------------------------------------------------------

    def set_goal(
        self,
        *,
        tenant_id: str,
        program_id: str,
        match_id: str,
        match_date: date,
        goal_id: str,
        title: str,
        description: str,
        due_in_days: int | None,
        milestones: list[str],
        user_id: str,
    ) -> None:
        if len(self.live_goals()) >= MAX_GOALS:
            raise Conflict(f"a mentorship has at most {MAX_GOALS} goals")
        if goal_id in self.goals:
            raise Conflict("this goal exists already")
        if len(milestones) > MAX_MILESTONES:
            raise InvalidInput(f"at most {MAX_MILESTONES} milestones", field="milestones")
        self.record(
            GoalSet(
                tenant_id=tenant_id,
                program_id=program_id,
                match_id=match_id,
                goal_id=goal_id,
                title=title,
                description=description,
                due_in_days=due_in_days,
                match_date=match_date,
                milestones=[
                    {"milestone_id": f"{goal_id}-m{i + 1}", "title": t, "done": False}
                    for i, t in enumerate(milestones)
                ],
                by_user_id=user_id,
            )
        )

    def change_goal(
        self,
        goal_id: str,
        *,
        user_id: str,
        title: str | None = None,
        description: str | None = None,
        due_in_days: int | None = None,
        clear_due: bool = False,
        progress_percent: int | None = None,
    ) -> None:
        goal = self.goal(goal_id)
        if progress_percent is not None and goal["milestones"]:
            raise InvalidInput(
                "this goal's progress comes from its milestones: mark them done instead",
                field="progress_percent",
            )
        self.record(
            GoalChanged(
                goal_id=goal_id,
                title=title,
                description=description,
                due_in_days=due_in_days,
                clear_due=clear_due,
                progress_percent=progress_percent,
                by_user_id=user_id,
            )
        )

    def add_milestone(self, goal_id: str, title: str, user_id: str) -> str:
        goal = self.goal(goal_id)
        if len(goal["milestones"]) >= MAX_MILESTONES:
            raise Conflict(f"a goal has at most {MAX_MILESTONES} milestones")
        milestone_id = f"{goal_id}-m{goal['next_milestone']}"
        self.record(
            MilestoneAdded(
                goal_id=goal_id, milestone_id=milestone_id, title=title, by_user_id=user_id
            )
        )
        return milestone_id

    def mark_milestone(self, goal_id: str, milestone_id: str, done: bool, user_id: str) -> None:
        goal = self.goal(goal_id)
        if not any(m["milestone_id"] == milestone_id for m in goal["milestones"]):
            raise NotFound("milestone not found in this goal", field="milestone_id")
        self.record(
            MilestoneMarked(
                goal_id=goal_id, milestone_id=milestone_id, done=done, by_user_id=user_id
            )
        )

    def remove_goal(self, goal_id: str, user_id: str) -> None:
        self.goal(goal_id)
        self.record(GoalRemoved(goal_id=goal_id, by_user_id=user_id))

    def touched_goals(self) -> list[str]:
        """The goals the pending events changed, in order, once each."""
        seen: list[str] = []
        for event in self.pending_events:
            goal_id = str(event.model_dump()["goal_id"])
            if goal_id not in seen:
                seen.append(goal_id)
        return seen

    # --- folding ---------------------------------------------------------------------

    @applies(GoalSet)
    def _set(self, e: GoalSet) -> None:
        self.tenant_id, self.program_id, self.match_id = e.tenant_id, e.program_id, e.match_id
        self.match_date = e.match_date.isoformat()
        self.goals[e.goal_id] = {
            "goal_id": e.goal_id,
            "title": e.title,
            "description": e.description,
            "due_in_days": e.due_in_days,
            "progress_percent": 0,
            "milestones": [dict(m) for m in e.milestones],
            "next_milestone": len(e.milestones) + 1,
            "removed": False,
            "updated_by": e.by_user_id,
        }

    @applies(GoalChanged)
    def _changed(self, e: GoalChanged) -> None:
        goal = self.goals[e.goal_id]
        if e.title is not None:
            goal["title"] = e.title
        if e.description is not None:
            goal["description"] = e.description
        if e.clear_due:
            goal["due_in_days"] = None
        elif e.due_in_days is not None:
            goal["due_in_days"] = e.due_in_days
        if e.progress_percent is not None:
            goal["progress_percent"] = e.progress_percent
        goal["updated_by"] = e.by_user_id

    @applies(MilestoneAdded)
    def _milestone_added(self, e: MilestoneAdded) -> None:
        goal = self.goals[e.goal_id]
        goal["milestones"].append({"milestone_id": e.milestone_id, "title": e.title, "done": False})
        goal["next_milestone"] += 1
        goal["updated_by"] = e.by_user_id

    @applies(MilestoneMarked)
    def _milestone_marked(self, e: MilestoneMarked) -> None:
        goal = self.goals[e.goal_id]
        for milestone in goal["milestones"]:
            if milestone["milestone_id"] == e.milestone_id:
                milestone["done"] = e.done
        goal["updated_by"] = e.by_user_id

    @applies(GoalRemoved)
    def _removed(self, e: GoalRemoved) -> None:
        self.goals[e.goal_id]["removed"] = True
        self.goals[e.goal_id]["updated_by"] = e.by_user_id
