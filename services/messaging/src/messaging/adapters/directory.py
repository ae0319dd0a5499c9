"""Programs and their members as profiles publishes them (``program-changed``,
``profile-changed``): who administers a program and who is in it. Version-guarded, so
redeliveries and replays change nothing."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from chassis.projections import apply_if_newer
from mentorship_contracts.events.profiles import ProfileChangedV1
from mentorship_contracts.events.programs import ProgramChangedV1


class DirectoryStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.programs = db["directory_programs"]
        self.members = db["directory_members"]

    async def program_changed(self, event: ProgramChangedV1) -> None:
        await apply_if_newer(
            self.programs,
            f"{event.tenant_id}|{event.program_id}",
            event.program_version,
            {
                "$set": {
                    "organization_id": event.organization_id,
                    "partners": list(event.partner_organization_ids),
                }
            },
        )

    async def profile_changed(self, event: ProfileChangedV1) -> None:
        await apply_if_newer(
            self.members,
            f"{event.tenant_id}|{event.program_id}|{event.user_id}",
            event.profile_version,
            {"$set": {"roles": [] if event.erased else list(event.roles), "erased": event.erased}},
        )

    async def program(self, tenant_id: str, program_id: str) -> dict[str, Any] | None:
        return await self.programs.find_one({"_id": f"{tenant_id}|{program_id}"})

    async def member_roles(self, tenant_id: str, program_id: str, user_id: str) -> list[str] | None:
        doc = await self.members.find_one({"_id": f"{tenant_id}|{program_id}|{user_id}"})
        if doc is None or doc.get("erased"):
            return None
        return list(doc.get("roles", []))
