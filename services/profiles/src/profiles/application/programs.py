"""Use cases on programs: create one, read one, change its settings, list the visible ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from chassis import access as policy
from chassis.auth import Principal
from chassis.errors import Forbidden
from profiles.application.access import Access
from profiles.application.errors import check_if_match, invalid
from profiles.application.ports import Page, ReadModels
from profiles.application.saving import Save
from profiles.domain.program import Program, ProgramSpec


def new_program_id() -> str:
    return "p" + uuid.uuid4().hex


@dataclass(frozen=True)
class CreateProgram:
    save: Save

    async def __call__(self, principal: Principal, spec: ProgramSpec) -> Program:
        if not policy.may_create_program(principal):
            raise Forbidden("only an organization admin (role org_admin) creates programs")
        program = Program(new_program_id())
        program.create(
            tenant_id=principal.tenant_id,
            organization_id=principal.organization_id,
            created_by=principal.user_id,
            spec=spec,
        )
        await self.save.program(program)
        return program


@dataclass(frozen=True)
class ViewProgram:
    access: Access

    async def __call__(self, principal: Principal, program_id: str) -> Program:
        return await self.access.program_for(principal, program_id)


@dataclass(frozen=True)
class ChangeProgram:
    access: Access
    read_models: ReadModels
    save: Save

    async def __call__(
        self, principal: Principal, program_id: str, changes: dict[str, Any], if_match: int | None
    ) -> Program:
        program = await self.access.program_for(principal, program_id)
        await self.access.require_admin(program, principal, "change its settings")
        check_if_match(if_match, program.version)
        try:
            changed = program.reconfigure(
                changes, has_members=await self.read_models.has_members(program_id)
            )
        except ValidationError as exc:
            raise invalid(exc) from None
        reindex = bool({"profile_fields", "custom_fields"} & set(changed))
        await self.save.program(program, reindex_members=reindex)
        return program


@dataclass(frozen=True)
class ListPrograms:
    read_models: ReadModels

    async def __call__(self, principal: Principal, cursor: str | None, limit: int) -> Page:
        return await self.read_models.list_programs(
            principal.tenant_id,
            principal.organization_id,
            include_all=False,
            cursor=cursor,
            limit=limit,
        )
