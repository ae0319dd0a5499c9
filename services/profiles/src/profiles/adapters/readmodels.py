"""MongoDB read models: programs and members, written from aggregate state.

Each document is the whole state of one aggregate at ``source_version``; writes go
through :func:`chassis.projections.apply_if_newer`, so replays, duplicates and concurrent
projectors converge on the newest state. Lists use cursor pagination on ``_id``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from chassis.cursors import decode_cursor, encode_cursor
from chassis.errors import InvalidInput
from chassis.projections import apply_if_newer
from profiles.domain.member import Member
from profiles.domain.program import Program


def program_document(program: Program) -> dict[str, Any]:
    spec = program.require_spec()
    return {
        "tenant_id": program.tenant_id,
        "organization_id": program.organization_id,
        "created_by": program.created_by,
        "created_at": program.created_at,
        "spec": spec.model_dump(mode="json"),
        "status": spec.status,
        "partner_organization_ids": spec.partner_organization_ids,
        "version": program.version,
    }


def member_document(member: Member, program: Program) -> dict[str, Any]:
    app = member.current_application()
    doc: dict[str, Any] = {
        "tenant_id": member.tenant_id,
        "program_id": member.program_id,
        "user_id": member.user_id,
        "organization_id": member.organization_id,
        "status": member.status,
        "roles": member.roles,
        "mentor_approved": member.mentor_approved,
        "joined_at": member.joined_at,
        "version": member.version,
        "display_name": member.profile.get("display_name"),
    }
    if member.active:
        doc["views"] = {
            "member": member.fields_for("member", program),
            "matched": member.fields_for("matched", program),
        }
        doc["application"] = (
            None
            if app is None
            else {
                k: app[k]
                for k in ("application_id", "state", "submitted_at", "decided_at", "reason_code")
            }
        )
    else:  # erased: nothing personal stays in the read model
        doc["views"] = None
        doc["application"] = None
        doc["display_name"] = None
    return doc


class ProfilesReadModels:
    """The ``programs`` and ``members`` collections: what list and search queries read."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.programs = db["programs"]
        self.members = db["members"]

    async def ensure_indexes(self) -> None:
        await self.programs.create_index([("tenant_id", ASCENDING), ("_id", ASCENDING)])
        await self.members.create_index(
            [("tenant_id", ASCENDING), ("program_id", ASCENDING), ("_id", ASCENDING)]
        )
        await self.members.create_index([("tenant_id", ASCENDING), ("user_id", ASCENDING)])
        await self.members.create_index(
            [("program_id", ASCENDING), ("application.state", ASCENDING)]
        )

    async def reset(self) -> None:
        await self.programs.delete_many({})
        await self.members.delete_many({})

    async def save_program(self, program: Program) -> bool:
        return await apply_if_newer(
            self.programs,
            program.program_id,
            program.version,
            {"$set": program_document(program)},
        )

    async def save_member(self, member: Member, program: Program) -> bool:
        return await apply_if_newer(
            self.members,
            member.member_id,
            member.version,
            {"$set": member_document(member, program)},
        )

    async def replace_member_view(self, member: Member, program: Program) -> None:
        """Rewrite a member's document at the same version (its program changed)."""
        await self.members.update_one({"_id": member.member_id}, {"$set": {"source_version": 0}})
        await self.save_member(member, program)

    async def insert_new_members(self, members: Sequence[Member], program: Program) -> list[Member]:
        """Bulk path for imports: insert docs of new members; returns the ones that existed."""
        if not members:
            return []
        docs = [
            {"_id": m.member_id, **member_document(m, program), "source_version": m.version}
            for m in members
        ]
        try:
            await self.members.insert_many(docs, ordered=False)
            return []
        except BulkWriteError as exc:
            failed = {e["index"] for e in exc.details.get("writeErrors", [])}
            return [members[i] for i in sorted(failed)]

    async def versions(self, collection: str) -> dict[str, int]:
        out = {}
        async for doc in self.programs.database[collection].find(
            {}, {"_id": 1, "source_version": 1}
        ):
            out[doc["_id"]] = doc.get("source_version", 0)
        return out

    # --- queries -------------------------------------------------------------------------

    async def list_programs(
        self,
        tenant_id: str,
        organization_id: str,
        *,
        include_all: bool,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], str | None]:
        query: dict[str, Any] = {"tenant_id": tenant_id}
        if not include_all:
            query["$or"] = [
                {"organization_id": organization_id},
                {"partner_organization_ids": organization_id},
            ]
        return await self._page(self.programs, query, cursor, limit)

    async def list_members(
        self,
        tenant_id: str,
        program_id: str,
        *,
        role: str | None,
        application_state: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], str | None]:
        query: dict[str, Any] = {
            "tenant_id": tenant_id,
            "program_id": program_id,
            "status": "active",
        }
        if role:
            query["roles"] = role
        if application_state:
            query["application.state"] = application_state
        return await self._page(self.members, query, cursor, limit)

    async def memberships_of(self, tenant_id: str, user_id: str) -> list[dict[str, Any]]:
        return (
            await self.members.find({"tenant_id": tenant_id, "user_id": user_id})
            .sort("_id", ASCENDING)
            .to_list(1000)
        )

    async def members_by_id(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        # one _id lookup each: FerretDB (SQLite) pushes down _id equality, not $in
        docs = await asyncio.gather(*(self.members.find_one({"_id": i}) for i in ids))
        return {d["_id"]: d for d in docs if d is not None}

    async def member_ids_of_program(self, program_id: str) -> list[str]:
        return [d["_id"] async for d in self.members.find({"program_id": program_id}, {"_id": 1})]

    async def has_members(self, program_id: str) -> bool:
        return await self.members.find_one({"program_id": program_id}, {"_id": 1}) is not None

    async def _page(
        self, collection: Any, query: dict[str, Any], cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        after = decode_cursor(cursor)
        if after is not None:
            if not isinstance(after, str):
                raise InvalidInput("cursor is not one this API returned", field="cursor")
            query = {**query, "_id": {"$gt": after}}
        docs = await collection.find(query).sort("_id", ASCENDING).limit(limit + 1).to_list()
        next_cursor = encode_cursor(docs[limit - 1]["_id"]) if len(docs) > limit else None
        return docs[:limit], next_cursor
