"""Lookups the use cases share: the program, a mentor's profile, a request or match with
the caller's side in it. Everything is scoped by the token's tenant; strangers and other
tenants' ids get 404, never 403."""

from __future__ import annotations

from typing import Any

from chassis.auth import Principal
from chassis.errors import NotFound
from matching.application.access import Access, Caller
from matching.application.ports import Clock, MentorshipReadModel, Profiles
from matching.application.views import valid_id


class Lookups:
    def __init__(
        self,
        *,
        profiles: Profiles,
        read_models: MentorshipReadModel,
        access: Access,
        clock: Clock,
    ) -> None:
        self.profiles = profiles
        self.read_models = read_models
        self.access = access
        self.clock = clock

    async def caller(self, principal: Principal, program_id: str) -> Caller:
        return await self.access.caller(principal, program_id)

    async def program(self, tenant_id: str, program_id: str) -> dict[str, Any]:
        program = await self.profiles.program(tenant_id, program_id)
        if program is None:
            raise NotFound("program not found")
        return dict(program["config"])

    async def mentor_profile(
        self, tenant_id: str, program_id: str, mentor_id: str
    ) -> dict[str, Any]:
        if not valid_id(mentor_id):
            raise NotFound("mentor not found in this program", field="mentor_id")
        doc = await self.profiles.profile(tenant_id, program_id, mentor_id)
        if doc is None or doc.get("erased") or "mentor" not in doc.get("roles", []):
            raise NotFound("mentor not found in this program", field="mentor_id")
        return doc

    async def request_for(
        self, principal: Principal, request_id: str
    ) -> tuple[dict[str, Any], Caller, str]:
        """The request, the caller and their side (mentor, mentee or admin); 404 otherwise."""
        doc = await self.read_models.request(request_id) if valid_id(request_id) else None
        return await self._party_to(principal, doc, "request")

    async def match_for(
        self, principal: Principal, match_id: str
    ) -> tuple[dict[str, Any], Caller, str]:
        doc = await self.read_models.match(match_id) if valid_id(match_id) else None
        return await self._party_to(principal, doc, "match")

    async def _party_to(
        self, principal: Principal, doc: dict[str, Any] | None, noun: str
    ) -> tuple[dict[str, Any], Caller, str]:
        if doc is None or doc["tenant_id"] != principal.tenant_id:
            raise NotFound(f"{noun} not found")
        try:
            caller = await self.access.caller(principal, doc["program_id"])
        except NotFound:
            raise NotFound(f"{noun} not found") from None
        if caller.member_id == doc["mentor_id"]:
            return doc, caller, "mentor"
        if caller.member_id == doc["mentee_id"]:
            return doc, caller, "mentee"
        if caller.is_admin:
            return doc, caller, "admin"
        raise NotFound(f"{noun} not found")

    async def touch(self, tenant_id: str, program_id: str, member_id: str | None) -> None:
        """The member's last activity here (shown to mentees choosing a mentor)."""
        if member_id is not None:
            await self.read_models.touch(tenant_id, program_id, member_id, self.clock())
