"""Mentor applications: a member applies to mentor, reads their own, and an admin lists,
reads and decides them.

An application's answers are shown to the applicant and the program's admins; the decision's
reply leaves them out. The admin's list is the members list filtered by application state.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal
from chassis.http import Created, Cursor, Limit, Page, problems
from profiles.domain.member import Member
from profiles.entrypoints.deps import (
    ApplyAsMentorCase,
    Creates,
    DecideApplicationCase,
    ListMembersCase,
    ListMyApplicationsCase,
    ReadApplicationCase,
)
from profiles.entrypoints.routes.members import list_members
from profiles.entrypoints.schemas import (
    ApplicationOut,
    ApplicationRequest,
    DecisionRequest,
    MemberSummary,
)

router = APIRouter(prefix="/v1", tags=["profiles"])


def application_out(member: Member, app: dict[str, Any], *, with_answers: bool) -> ApplicationOut:
    return ApplicationOut(
        application_id=app["application_id"],
        member_id=member.member_id,
        program_id=member.program_id,
        state=app["state"],
        answers=app["answers"] if with_answers else None,
        submitted_at=app["submitted_at"],
        decided_at=app["decided_at"],
        reason_code=app["reason_code"],
        note=app["note"],
    )


@router.post(
    "/programs/{program_id}/mentor-applications",
    status_code=201,
    response_model=ApplicationOut,
    summary="Apply to mentor in the program",
    responses=problems(404, 409),
)
async def apply_to_mentor(
    program_id: str,
    body: ApplicationRequest,
    principal: CurrentPrincipal,
    apply: ApplyAsMentorCase,
    once: Creates,
) -> JSONResponse:
    async def create() -> Created:
        member, _ = await apply(principal, program_id, dict(body.answers))
        app = member.applications[-1]
        return Created(application_out(member, app, with_answers=True))

    return await once(body, create)


@router.get(
    "/programs/{program_id}/mentor-applications/mine",
    response_model=list[ApplicationOut],
    summary="Your mentor applications in the program, latest last",
    responses=problems(404),
)
async def my_applications(
    program_id: str, principal: CurrentPrincipal, list_mine: ListMyApplicationsCase
) -> list[ApplicationOut]:
    member = await list_mine(principal, program_id)
    return [application_out(member, a, with_answers=True) for a in member.applications]


@router.get(
    "/programs/{program_id}/mentor-applications",
    response_model=Page[MemberSummary],
    summary="Applications of the program, e.g. those waiting for a decision (admin)",
    responses=problems(403, 404),
)
async def list_applications(
    program_id: str,
    principal: CurrentPrincipal,
    list_all: ListMembersCase,
    state: Literal["submitted", "approved", "rejected"] = "submitted",
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[MemberSummary]:
    return await list_members(program_id, principal, list_all, None, state, cursor, limit)


@router.get(
    "/programs/{program_id}/mentor-applications/{application_id}",
    response_model=ApplicationOut,
    summary="One application with its answers (admin, or the applicant)",
    responses=problems(404),
)
async def get_application(
    program_id: str, application_id: str, principal: CurrentPrincipal, read: ReadApplicationCase
) -> ApplicationOut:
    member, app = await read(principal, program_id, application_id)
    return application_out(member, app, with_answers=True)


@router.post(
    "/programs/{program_id}/mentor-applications/{application_id}/decision",
    response_model=ApplicationOut,
    summary="Approve or reject a mentor application (admin)",
    responses=problems(403, 404, 409),
)
async def decide_application(
    program_id: str,
    application_id: str,
    body: DecisionRequest,
    principal: CurrentPrincipal,
    decide: DecideApplicationCase,
) -> ApplicationOut:
    member = await decide(
        principal,
        program_id,
        application_id,
        decision=body.decision,
        reason_code=body.reason_code,
        note=body.note,
    )
    app = next(a for a in member.applications if a["application_id"] == application_id)
    return application_out(member, app, with_answers=False)
