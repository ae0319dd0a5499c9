"""Use cases on mentor applications: apply, decide (admin), read one, list your own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from chassis.auth import Principal
from profiles.application.access import Access
from profiles.application.saving import Save
from profiles.domain.member import Member, member_id_of_application


@dataclass(frozen=True)
class ApplyAsMentor:
    access: Access
    save: Save

    async def __call__(
        self, principal: Principal, program_id: str, answers: dict[str, str]
    ) -> tuple[Member, str]:
        member, program = await self.access.my_membership(principal, program_id)
        application_id = member.submit_application(program, answers)
        await self.save.member(member, program, conflict="your application is already in")
        return member, application_id


@dataclass(frozen=True)
class DecideApplication:
    access: Access
    save: Save

    async def __call__(
        self,
        principal: Principal,
        program_id: str,
        application_id: str,
        *,
        decision: Literal["approved", "rejected"],
        reason_code: str | None,
        note: str | None,
    ) -> Member:
        program = await self.access.program_for(principal, program_id)
        await self.access.require_admin(program, principal, "decide mentor applications")
        member = await self.access.member_by_id(program, member_id_of_application(application_id))
        member.decide_application(
            application_id,
            decision=decision,
            reason_code=reason_code,
            note=note,
            decided_by=principal.user_id,
        )
        await self.save.member(member, program, conflict="the application changed meanwhile")
        return member


@dataclass(frozen=True)
class ReadApplication:
    access: Access

    async def __call__(
        self, principal: Principal, program_id: str, application_id: str
    ) -> tuple[Member, dict[str, Any]]:
        program = await self.access.program_for(principal, program_id)
        member = await self.access.member_by_id(program, member_id_of_application(application_id))
        if member.user_id != principal.user_id:
            await self.access.require_admin(program, principal, "read mentor applications")
        return member, member.application(application_id)


@dataclass(frozen=True)
class ListMyApplications:
    access: Access

    async def __call__(self, principal: Principal, program_id: str) -> Member:
        """Your member aggregate in the program (its ``applications``, latest last)."""
        member, _ = await self.access.my_membership(principal, program_id)
        return member
