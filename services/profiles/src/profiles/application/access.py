"""Who may see and change what: the program and member checks every use case shares.

Another tenant's program, or one the caller's organization may not see, answers 404 (ids
do not leak); a visible program the caller may not administer answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from chassis.auth import Principal
from chassis.errors import Forbidden, NotFound
from profiles.application.ports import MemberRepository, ProgramRepository
from profiles.domain.member import Member, member_id_for
from profiles.domain.program import Program

_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")


def check_id(value: str, what: str) -> None:
    if not value or len(value) > 128 or not set(value) <= _ID_CHARS:
        raise NotFound(f"{what} not found")


@dataclass(frozen=True)
class Access:
    programs: ProgramRepository
    members: MemberRepository

    async def program(self, program_id: str) -> Program:
        """The program, whoever asks (it may not exist: ``program.exists``)."""
        check_id(program_id, "program")
        return await self.programs.load(program_id)

    async def program_of_tenant(self, principal: Principal, program_id: str) -> Program:
        program = await self.program(program_id)
        if not program.exists or program.tenant_id != principal.tenant_id:
            raise NotFound("program not found")  # another tenant's ids do not leak
        return program

    async def program_for(self, principal: Principal, program_id: str) -> Program:
        """The program if the caller's tenant owns it and their organization may see it."""
        program = await self.program_of_tenant(principal, program_id)
        if not program.admits(principal.organization_id):
            member = await self.member_of(program, principal.user_id)
            if not member.active:
                raise NotFound("program not found")
        return program

    async def member_of(self, program: Program, user_id: str) -> Member:
        """The person's member aggregate in ``program`` (``status == "none"`` if never)."""
        return await self.members.load(
            member_id_for(program.tenant_id, program.program_id, user_id)
        )

    async def member_by_id(self, program: Program, member_id: str) -> Member:
        check_id(member_id, "member")
        member = await self.members.load(member_id)
        if member.status == "none" or member.program_id != program.program_id:
            raise NotFound("member not found")
        return member

    async def my_membership(self, principal: Principal, program_id: str) -> tuple[Member, Program]:
        program = await self.program_for(principal, program_id)
        member = await self.member_of(program, principal.user_id)
        if not member.active:
            raise NotFound("you are not a member of this program")
        return member, program

    @staticmethod
    def is_admin(program: Program, principal: Principal, me: Member | None) -> bool:
        if program.is_admin_principal(
            organization_id=principal.organization_id, roles=principal.roles
        ):
            return True
        return me is not None and me.active and "admin" in me.roles

    async def require_admin(self, program: Program, principal: Principal, action: str) -> None:
        me = await self.member_of(program, principal.user_id)
        if not self.is_admin(program, principal, me):
            raise Forbidden(f"only admins of this program may {action}")

    async def require_member_or_admin(
        self, program: Program, principal: Principal
    ) -> tuple[Member, bool]:
        me = await self.member_of(program, principal.user_id)
        admin = self.is_admin(program, principal, me)
        if not me.active and not admin:
            raise Forbidden("join this program first: only its members see its profiles")
        return me, admin
