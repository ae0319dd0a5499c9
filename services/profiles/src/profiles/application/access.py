"""Who may see and change what: the program and member checks every use case shares.

The rules are the platform's one access policy (:mod:`chassis.access`), the same matching
applies, fed with what profiles knows: the program's tenant and organisations from the
``Program`` aggregate, the caller's roles from their ``Member`` aggregate (when active).
Another tenant's program, or one the caller may not see, answers 404 (ids do not leak); a
visible program the caller may not administer, or whose people they may not see, 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from chassis import access as policy
from chassis.auth import Principal
from chassis.errors import Forbidden, NotFound
from profiles.application.ports import MemberRepository, ProgramRepository
from profiles.domain.member import Member, member_id_for
from profiles.domain.program import Program

_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")


def check_id(value: str, what: str) -> None:
    if not value or len(value) > 128 or not set(value) <= _ID_CHARS:
        raise NotFound(f"{what} not found")


def program_facts(program: Program) -> policy.ProgramFacts:
    """The policy's view of a program: its tenant, owner and partner organisations."""
    spec = program.require_spec()
    return policy.ProgramFacts.of(
        program.tenant_id, program.organization_id, spec.partner_organization_ids
    )


def member_roles(me: Member | None) -> list[str] | None:
    """The caller's roles for the policy: None unless an active member."""
    return me.roles if me is not None and me.active else None


def standing(program: Program, principal: Principal, me: Member | None) -> policy.Standing:
    return policy.standing(principal, program_facts(program), member_roles(me))


@dataclass(frozen=True)
class Access:
    programs: ProgramRepository
    members: MemberRepository

    async def program(self, program_id: str) -> Program:
        """The program, whoever asks (it may not exist: ``program.exists``)."""
        check_id(program_id, "program")
        return await self.programs.load(program_id)

    async def program_for(self, principal: Principal, program_id: str) -> Program:
        """The program if the policy lets the caller see it: of their tenant, and their
        organisation is admitted or they are an active member (404 otherwise)."""
        program = await self.program(program_id)
        if not program.exists:
            raise NotFound("program not found")
        me = await self.member_of(program, principal.user_id)
        if not standing(program, principal, me).visible:
            raise NotFound("program not found")  # another tenant's ids do not leak
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
        """The owning organisation's ``org_admin``, or a member with the ``admin`` role."""
        return policy.is_program_admin(principal, program_facts(program), member_roles(me))

    async def require_admin(self, program: Program, principal: Principal, action: str) -> None:
        me = await self.member_of(program, principal.user_id)
        if not standing(program, principal, me).admin:
            raise Forbidden(f"only admins of this program may {action}")

    async def require_member_or_admin(
        self, program: Program, principal: Principal
    ) -> tuple[Member, policy.Standing]:
        """The caller's member aggregate and standing, if they may see the program's people."""
        me = await self.member_of(program, principal.user_id)
        seen = standing(program, principal, me)
        if not seen.sees_members:
            raise Forbidden("join this program first: only its members see its profiles")
        return me, seen
