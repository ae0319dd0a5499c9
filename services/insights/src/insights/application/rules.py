"""Use cases: read and set a program's health rules (admins only)."""

from __future__ import annotations

from typing import Any

from chassis.auth import Principal
from insights.application.access import Access
from insights.application.ports import Repository
from insights.domain.rules import HealthRules, ProgramRules


class Rules:
    def __init__(self, *, access: Access, rules: Repository[ProgramRules]) -> None:
        self.access = access
        self.rules = rules

    async def get(self, principal: Principal, program_id: str) -> dict[str, Any]:
        caller = await self.access.admin(principal, program_id, "read the health rules")
        aggregate = await self.rules.load(ProgramRules.stream_of(caller.tenant_id, program_id))
        return {**aggregate.current.model_dump(), "version": aggregate.version}

    async def set(
        self, principal: Principal, program_id: str, rules: HealthRules
    ) -> dict[str, Any]:
        caller = await self.access.admin(principal, program_id, "set the health rules")
        aggregate = await self.rules.load(ProgramRules.stream_of(caller.tenant_id, program_id))
        aggregate.set(caller.tenant_id, program_id, rules, caller.user_id)
        await self.rules.save(aggregate, tenant_id=caller.tenant_id)
        return {**aggregate.current.model_dump(), "version": aggregate.version}
