"""Domain state -> the published contract payloads (pure). Never a title, a milestone's
name or a check-in comment: those are the pair's words and stay in insights."""

from __future__ import annotations

from datetime import datetime

from chassis.eventstore import Publish
from insights.domain.check_ins import CheckInAnswer, CheckInAnswered
from insights.domain.goals import GoalPlan
from mentorship_contracts.events import CheckInAnsweredV1, GoalUpdatedV1


def goal_updates(plan: GoalPlan, user_id: str, now: datetime) -> list[Publish]:
    """One goal-updated per goal the plan's pending events touched, at the plan's version."""
    out = []
    for goal_id in plan.touched_goals():
        goal = plan.goals[goal_id]
        milestones = goal["milestones"]
        out.append(
            Publish(
                GoalUpdatedV1(
                    tenant_id=plan.tenant_id,
                    program_id=plan.program_id,
                    match_id=plan.match_id,
                    goal_id=goal_id,
                    plan_version=plan.version,
                    status=GoalPlan.status(goal),
                    progress_percent=GoalPlan.progress(goal),
                    milestones_total=len(milestones),
                    milestones_done=sum(1 for m in milestones if m["done"]),
                    due_on=plan.due_on(goal),
                    updated_by_user_id=user_id,
                    updated_at=now,
                )
            )
        )
    return out


def check_in_answered(answer: CheckInAnswer, event: CheckInAnswered) -> Publish:
    return Publish(
        CheckInAnsweredV1(
            tenant_id=event.tenant_id,
            answer_id=CheckInAnswer.answer_id_of(answer.stream_id),
            program_id=event.program_id,
            match_id=event.match_id,
            round=event.round,
            respondent_user_id=event.user_id,
            respondent_role=event.role,
            score=event.score,
            visibility=event.visibility,
            has_comment=bool(event.comment),
            answered_at=event.answered_at,
        )
    )
