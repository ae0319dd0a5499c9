"""Use cases that make someone a member: joining a program, being invited by an admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chassis.auth import Principal
from chassis.errors import InvalidInput, NotFound
from profiles.application.access import Access, program_facts
from profiles.application.saving import Save
from profiles.domain.fields import ProfileFields
from profiles.domain.member import Member
from profiles.domain.program import Program

ALREADY_A_MEMBER = "already a member of this program"


@dataclass(frozen=True)
class JoinProgram:
    access: Access
    save: Save

    async def __call__(
        self,
        principal: Principal,
        program_id: str,
        *,
        roles: list[str],
        fields: ProfileFields,
        custom: dict[str, Any],
        visibility: dict[str, str],
    ) -> tuple[Member, Program]:
        program = await self.access.program_for(principal, program_id)
        if not program_facts(program).admits(principal.organization_id):
            raise NotFound("program not found")  # not a partner: the program is not theirs
        member = await self.access.member_of(program, principal.user_id)
        member.join(
            program,
            user_id=principal.user_id,
            organization_id=principal.organization_id,
            roles=roles,
            via="join",
            fields=fields,
            custom=custom,
            visibility=visibility,
            default_display_name=principal.name,
        )
        await self.save.member(member, program, conflict=ALREADY_A_MEMBER)
        return member, program


@dataclass(frozen=True)
class InviteMember:
    access: Access
    save: Save

    async def __call__(
        self,
        principal: Principal,
        program_id: str,
        *,
        user_id: str,
        organization_id: str | None,
        roles: list[str],
        fields: ProfileFields,
        custom: dict[str, Any],
    ) -> tuple[Member, Program]:
        program = await self.access.program_for(principal, program_id)
        await self.access.require_admin(program, principal, "invite members")
        org = organization_id or program.organization_id
        if not program_facts(program).admits(org):
            raise InvalidInput(
                f"organization {org!r} is not a partner of this program",
                field="organization_id",
            )
        member = await self.access.member_of(program, user_id)
        member.join(
            program,
            user_id=user_id,
            organization_id=org,
            roles=roles,
            via="invite",
            fields=fields,
            custom=custom,
        )
        await self.save.member(member, program, conflict=ALREADY_A_MEMBER)
        return member, program
