"""A mentorship's goals, milestones and check-ins: for its own people."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from chassis.auth import CurrentPrincipal
from chassis.http import Created, ExpectedVersion, problems, set_etag
from insights.entrypoints.deps import Creates, IdPath, RoundPath, Service
from insights.entrypoints.schemas import (
    CheckInIn,
    CheckInOut,
    CheckInsOut,
    GoalChange,
    GoalIn,
    GoalPlanOut,
    MilestoneIn,
    MilestoneMark,
)

router = APIRouter(prefix="/v1/programs/{program_id}/mentorships/{match_id}", tags=["insights"])
PAIR = problems(401, 404, 409, 422)


def _plan(response: Response, plan: dict[str, Any]) -> dict[str, Any]:
    set_etag(response, plan["version"])
    return plan


@router.get("/goals", response_model=GoalPlanOut, summary="The mentorship's goals", responses=PAIR)
async def list_goals(
    program_id: IdPath,
    match_id: IdPath,
    response: Response,
    principal: CurrentPrincipal,
    service: Service,
) -> Any:
    return _plan(response, await service.goals.read(principal, program_id, match_id))


@router.post(
    "/goals",
    response_model=GoalPlanOut,
    status_code=201,
    summary="Set a goal (due in days after the match date, optional milestones)",
    responses=PAIR,
)
async def set_goal(
    program_id: IdPath,
    match_id: IdPath,
    body: GoalIn,
    principal: CurrentPrincipal,
    service: Service,
    once: Creates,
) -> Any:
    async def create() -> Created:
        goal_id, plan = await service.goals.set_goal(
            principal,
            program_id,
            match_id,
            title=body.title,
            description=body.description,
            due_in_days=body.due_in_days,
            milestones=body.milestones,
        )
        return Created(
            GoalPlanOut.model_validate(plan),
            location=f"/v1/programs/{program_id}/mentorships/{match_id}/goals/{goal_id}",
            version=plan["version"],
        )

    return await once(body, create)


@router.patch(
    "/goals/{goal_id}",
    response_model=GoalPlanOut,
    summary="Change a goal: title, due date, or its manual progress percentage",
    responses=problems(401, 404, 409, 412, 422),
)
async def change_goal(
    program_id: IdPath,
    match_id: IdPath,
    goal_id: IdPath,
    body: GoalChange,
    response: Response,
    principal: CurrentPrincipal,
    service: Service,
    expected: ExpectedVersion = None,
) -> Any:
    changes = body.model_dump(exclude_unset=True)
    plan = await service.goals.change_goal(
        principal, program_id, match_id, goal_id, expected, changes
    )
    return _plan(response, plan)


@router.delete(
    "/goals/{goal_id}", response_model=GoalPlanOut, summary="Remove a goal", responses=PAIR
)
async def remove_goal(
    program_id: IdPath,
    match_id: IdPath,
    goal_id: IdPath,
    response: Response,
    principal: CurrentPrincipal,
    service: Service,
) -> Any:
    plan = await service.goals.remove_goal(principal, program_id, match_id, goal_id)
    return _plan(response, plan)


@router.post(
    "/goals/{goal_id}/milestones",
    response_model=GoalPlanOut,
    status_code=201,
    summary="Add a milestone to a goal",
    responses=PAIR,
)
async def add_milestone(
    program_id: IdPath,
    match_id: IdPath,
    goal_id: IdPath,
    body: MilestoneIn,
    principal: CurrentPrincipal,
    service: Service,
    once: Creates,
) -> Any:
    async def create() -> Created:
        plan = await service.goals.add_milestone(
            principal, program_id, match_id, goal_id, body.title
        )
        return Created(GoalPlanOut.model_validate(plan), version=plan["version"])

    return await once(body, create)


@router.put(
    "/goals/{goal_id}/milestones/{milestone_id}",
    response_model=GoalPlanOut,
    summary="Mark a milestone done (or not)",
    responses=PAIR,
)
async def mark_milestone(
    program_id: IdPath,
    match_id: IdPath,
    goal_id: IdPath,
    milestone_id: IdPath,
    body: MilestoneMark,
    response: Response,
    principal: CurrentPrincipal,
    service: Service,
) -> Any:
    plan = await service.goals.mark_milestone(
        principal, program_id, match_id, goal_id, milestone_id, body.done
    )
    return _plan(response, plan)


@router.get(
    "/check-ins",
    response_model=CheckInsOut,
    summary="The check-in rounds due so far: your answer, the others' public ones",
    responses=PAIR,
)
async def list_check_ins(
    program_id: IdPath, match_id: IdPath, principal: CurrentPrincipal, service: Service
) -> Any:
    return await service.check_ins.read(principal, program_id, match_id)


@router.post(
    "/check-ins/{round}",
    response_model=CheckInOut,
    status_code=201,
    summary="Answer a due check-in once: a 1-5 score, a comment, public or private",
    responses=PAIR,
)
async def answer_check_in(
    program_id: IdPath,
    match_id: IdPath,
    round: RoundPath,
    body: CheckInIn,
    principal: CurrentPrincipal,
    service: Service,
) -> Any:
    return await service.check_ins.answer(
        principal,
        program_id,
        match_id,
        round,
        score=body.score,
        comment=body.comment,
        visibility=body.visibility,
    )
