"""Use cases on a person's own data: export everything, erase one membership or all.

Erasure records ``MemberErased`` (which publishes the profile-changed tombstone), then
overwrites the personal content of the stored history (:mod:`profiles.domain.erasure`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chassis.auth import Principal
from profiles.application.access import Access
from profiles.application.ports import (
    Erasure,
    History,
    MemberRepository,
    MentorLoads,
    Projection,
    ReadModels,
)
from profiles.application.saving import Save
from profiles.domain.member import Member
from profiles.domain.program import Program


@dataclass(frozen=True)
class ExportMyData:
    members: MemberRepository
    read_models: ReadModels
    projection: Projection
    history: History
    loads: MentorLoads

    async def __call__(self, principal: Principal) -> dict[str, Any]:
        memberships = await self.read_models.memberships_of(principal.tenant_id, principal.user_id)
        out = []
        for doc in memberships:
            member = await self.members.load(doc["_id"])
            if member.user_id != principal.user_id or member.tenant_id != principal.tenant_id:
                continue
            out.append(await self._membership(member))
        return {
            "user_id": principal.user_id,
            "tenant_id": principal.tenant_id,
            "memberships": out,
        }

    async def _membership(self, member: Member) -> dict[str, Any]:
        program = await self.projection.program(member.program_id)
        load = (await self.loads.load_of([member.member_id])).get(member.member_id, 0)
        return {
            "member_id": member.member_id,
            "program_id": member.program_id,
            "program_name": program.spec.name if program and program.spec else None,
            "status": member.status,
            "organization_id": member.organization_id,
            "roles": member.roles,
            "mentor_approved": member.mentor_approved,
            "joined_at": member.joined_at,
            "joined_via": member.joined_via,
            "profile": member.profile,
            "custom_fields": member.custom,
            "visibility": member.visibility,
            "mentor_applications": member.applications,
            "current_load": load,
            "history": [
                {"version": e.version, "type": e.type, "at": e.at.isoformat()}
                for e in await self.history.of(member.member_id)
            ],
        }


@dataclass(frozen=True)
class EraseMember:
    """Erase one membership (idempotent): the tombstone, then the redacted history."""

    save: Save
    erasure: Erasure

    async def __call__(self, member: Member, program: Program) -> None:
        member.erase()
        await self.save.member(member, program)
        await self.erasure.redact_history(member.member_id)


@dataclass(frozen=True)
class EraseMembership:
    access: Access
    erase: EraseMember

    async def __call__(self, principal: Principal, program_id: str) -> Member:
        program = await self.access.program_for(principal, program_id)
        member = await self.access.member_of(program, principal.user_id)
        await self.erase(member, program)
        return member


@dataclass(frozen=True)
class EraseEverything:
    access: Access
    read_models: ReadModels
    projection: Projection
    erase: EraseMember
    erasure: Erasure

    async def __call__(self, principal: Principal) -> list[str]:
        erased = []
        for doc in await self.read_models.memberships_of(principal.tenant_id, principal.user_id):
            program = await self.projection.program(doc["program_id"])
            if program is None:
                continue
            member = await self.access.member_of(program, principal.user_id)
            if member.status == "none":
                continue
            await self.erase(member, program)
            erased.append(member.member_id)
        await self.erasure.forget_requests(principal.tenant_id, principal.user_id)
        return erased
