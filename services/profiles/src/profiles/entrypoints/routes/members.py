"""Members of a program: the admin's list, your own profile (read, edit, leave), a member's
profile as the reader may see it, and an admin setting a member's roles.

:func:`member_out` is the one place that decides which of a member's fields a viewer sees
(``self``, ``admin``, a match or another member); the joining routes answer with it too.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from chassis.auth import CurrentPrincipal
from chassis.http import (
    Cursor,
    ExpectedVersion,
    Limit,
    Page,
    RequiredVersion,
    problems,
    set_etag,
)
from profiles.application.members import OwnProfile
from profiles.domain.member import Member, Viewer
from profiles.domain.program import Program
from profiles.entrypoints.deps import (
    ChangeRolesCase,
    EditProfileCase,
    EraseMembershipCase,
    ListMembersCase,
    ViewMemberCase,
    ViewMyProfileCase,
)
from profiles.entrypoints.schemas import MemberOut, MemberSummary, ProfileInput, RolesRequest

router = APIRouter(prefix="/v1", tags=["profiles"])


def member_out(
    member: Member, program: Program, viewer: Viewer, load: int | None = None
) -> MemberOut:
    app = member.current_application()
    return MemberOut(
        member_id=member.member_id,
        program_id=member.program_id,
        user_id=member.user_id,
        organization_id=member.organization_id,
        status=member.status,
        roles=member.roles,
        mentor_approved=member.mentor_approved,
        joined_at=member.joined_at,
        version=member.version,
        viewer=viewer,
        profile=member.fields_for(viewer, program) if member.active else {},
        visibility=dict(member.visibility) if viewer == "self" else None,
        application=(
            {k: v for k, v in app.items() if k not in ("answers", "decided_by")}
            if app is not None and viewer in ("self", "admin")
            else None
        ),
        current_load=load if "mentor" in member.roles else None,
        missing_required=member.missing_required(program) if viewer == "self" else None,
    )


def own_profile_out(mine: OwnProfile, response: Response) -> MemberOut:
    set_etag(response, mine.member.version)
    return member_out(mine.member, mine.program, "self", mine.load)


@router.get(
    "/programs/{program_id}/members",
    response_model=Page[MemberSummary],
    summary="Members of a program (admin)",
    responses=problems(403, 404),
)
async def list_members(
    program_id: str,
    principal: CurrentPrincipal,
    list_all: ListMembersCase,
    role: Literal["mentee", "mentor", "admin"] | None = None,
    application_state: Literal["submitted", "approved", "rejected"] | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[MemberSummary]:
    docs, next_cursor = await list_all(
        principal,
        program_id,
        role=role,
        application_state=application_state,
        cursor=cursor,
        limit=limit,
    )
    return Page(
        items=[
            MemberSummary(
                member_id=d["_id"],
                user_id=d["user_id"],
                organization_id=d["organization_id"],
                display_name=d.get("display_name"),
                roles=d["roles"],
                mentor_approved=d["mentor_approved"],
                joined_at=d.get("joined_at"),
                application=d.get("application"),
            )
            for d in docs
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/programs/{program_id}/members/me",
    response_model=MemberOut,
    summary="Your own profile",
    responses=problems(404),
)
async def my_profile(
    program_id: str, principal: CurrentPrincipal, view: ViewMyProfileCase, response: Response
) -> MemberOut:
    return own_profile_out(await view(principal, program_id), response)


@router.patch(
    "/programs/{program_id}/members/me",
    response_model=MemberOut,
    summary="Edit your profile (If-Match: the ETag you read)",
    description="Send only the fields you change; null clears a field.",
    responses=problems(404, 412, 428),
)
async def edit_my_profile(
    program_id: str,
    body: ProfileInput,
    principal: CurrentPrincipal,
    edit: EditProfileCase,
    response: Response,
    version: RequiredVersion,
) -> MemberOut:
    mine = await edit(
        principal,
        program_id,
        if_match=version,
        fields=body.profile_fields(),
        custom=body.custom_fields,
        visibility=dict(body.visibility),
    )
    return own_profile_out(mine, response)


@router.delete(
    "/programs/{program_id}/members/me",
    status_code=204,
    summary="Leave the program and erase your profile in it",
    responses=problems(404),
)
async def erase_my_membership(
    program_id: str, principal: CurrentPrincipal, erase: EraseMembershipCase
) -> Response:
    await erase(principal, program_id)
    return Response(status_code=204)


@router.get(
    "/programs/{program_id}/members/{member_id}",
    response_model=MemberOut,
    summary="A member's profile, as you may see it",
    responses=problems(404),
)
async def get_member(
    program_id: str,
    member_id: str,
    principal: CurrentPrincipal,
    view: ViewMemberCase,
    response: Response,
) -> MemberOut:
    member, program, viewer, load = await view(principal, program_id, member_id)
    set_etag(response, member.version)
    return member_out(member, program, viewer, load)


@router.put(
    "/programs/{program_id}/members/{member_id}/roles",
    response_model=MemberOut,
    summary="Set a member's roles (admin; If-Match: the ETag you read)",
    responses=problems(403, 404, 409, 412),
)
async def set_roles(
    program_id: str,
    member_id: str,
    body: RolesRequest,
    principal: CurrentPrincipal,
    change: ChangeRolesCase,
    response: Response,
    version: ExpectedVersion,
) -> MemberOut:
    member, program = await change(principal, program_id, member_id, list(body.roles), version)
    set_etag(response, member.version)
    return member_out(member, program, "admin")
