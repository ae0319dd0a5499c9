"""Use cases on members' profiles: read and edit your own, view someone's, set roles, list
members, list your memberships."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from chassis import access as policy
from chassis.auth import Principal
from chassis.errors import NotFound
from profiles.application.access import Access
from profiles.application.errors import check_if_match
from profiles.application.ports import MentorLoads, Page, ReadModels
from profiles.application.saving import Save
from profiles.domain.fields import ProfileFields
from profiles.domain.member import Member, Viewer
from profiles.domain.program import Program


class OwnProfile(NamedTuple):
    """Your member aggregate, its program, and how many mentees you have (as a mentor)."""

    member: Member
    program: Program
    load: int


async def _load_of(loads: MentorLoads, member: Member) -> int:
    return (await loads.load_of([member.member_id])).get(member.member_id, 0)


@dataclass(frozen=True)
class ViewMyProfile:
    access: Access
    loads: MentorLoads

    async def __call__(self, principal: Principal, program_id: str) -> OwnProfile:
        member, program = await self.access.my_membership(principal, program_id)
        return OwnProfile(member, program, await _load_of(self.loads, member))


@dataclass(frozen=True)
class EditProfile:
    access: Access
    save: Save
    loads: MentorLoads

    async def __call__(
        self,
        principal: Principal,
        program_id: str,
        *,
        if_match: int,
        fields: ProfileFields,
        custom: dict[str, Any],
        visibility: dict[str, str],
    ) -> OwnProfile:
        member, program = await self.access.my_membership(principal, program_id)
        check_if_match(if_match, member.version)
        member.edit_profile(program, fields, custom, visibility)
        await self.save.member(member, program)
        return OwnProfile(member, program, await _load_of(self.loads, member))


@dataclass(frozen=True)
class ViewMember:
    access: Access
    loads: MentorLoads

    async def __call__(
        self, principal: Principal, program_id: str, member_id: str
    ) -> tuple[Member, Program, Viewer, int | None]:
        program = await self.access.program_for(principal, program_id)
        me, seen = await self.access.require_member_or_admin(program, principal)
        member = await self.access.member_by_id(program, member_id)
        if not member.active:
            raise NotFound("member not found")
        matched = me.active and await self.loads.matched(me.member_id, member.member_id)
        viewer: Viewer
        if me.active and me.member_id == member.member_id:
            viewer = "self"
        elif matched:
            viewer = "matched"
        elif seen.admin:
            viewer = "admin"
        else:
            viewer = "member"
        looked_at = policy.MemberFacts.of(member.member_id, member.roles, member.mentor_approved)
        if not policy.member_visible_to(
            policy.Viewer.of(seen, me.member_id), looked_at, matched=matched
        ):
            raise NotFound("member not found")  # a mentor waiting for approval is not shown
        return member, program, viewer, await _load_of(self.loads, member)


@dataclass(frozen=True)
class ChangeRoles:
    access: Access
    save: Save

    async def __call__(
        self,
        principal: Principal,
        program_id: str,
        member_id: str,
        roles: list[str],
        if_match: int | None,
    ) -> tuple[Member, Program]:
        program = await self.access.program_for(principal, program_id)
        await self.access.require_admin(program, principal, "change roles")
        member = await self.access.member_by_id(program, member_id)
        member.require_active()
        check_if_match(if_match, member.version)
        member.change_roles(program, roles)
        await self.save.member(member, program)
        return member, program


@dataclass(frozen=True)
class ListMembers:
    access: Access
    read_models: ReadModels

    async def __call__(
        self,
        principal: Principal,
        program_id: str,
        *,
        role: str | None,
        application_state: str | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        program = await self.access.program_for(principal, program_id)
        await self.access.require_admin(program, principal, "list all members")
        return await self.read_models.list_members(
            principal.tenant_id,
            program.program_id,
            role=role,
            application_state=application_state,
            cursor=cursor,
            limit=limit,
        )


@dataclass(frozen=True)
class ListMyMemberships:
    read_models: ReadModels

    async def __call__(self, principal: Principal) -> list[dict[str, Any]]:
        """The caller's active memberships in their tenant (read-model documents)."""
        docs = await self.read_models.memberships_of(principal.tenant_id, principal.user_id)
        return [d for d in docs if d.get("status") == "active"]
