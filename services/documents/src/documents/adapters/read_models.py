"""Read models: the document index (lists and search) and the directory of who belongs
where (programs, mentorship spaces, conversations), fed by other services' events.

All of it can be rebuilt: the index from the document streams, the directory by
replaying the topics it follows. Every document's ``_id`` starts with its tenant.
"""

from __future__ import annotations

import re
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from chassis.mongo import retry_transient
from chassis.projections import apply_if_newer
from chassis.storage import upsert
from documents.application.ports import Audience, SearchQuery, Space
from documents.domain.document import Document


def _key(*parts: str) -> str:
    return ":".join(parts)


class DocumentIndexStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db["document_index"]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("tenant_id", 1), ("space_id", 1)])
        await self.collection.create_index([("tenant_id", 1), ("owner_user_id", 1)])

    async def project(self, document: Document) -> None:
        doc_id = _key(document.tenant_id, document.document_id)
        if document.purged:
            await retry_transient(lambda: self.collection.delete_one({"_id": doc_id}))
            return
        current = document.current
        media = document.media.get(str(current["number"]), {})
        await apply_if_newer(
            self.collection,
            doc_id,
            document.version,
            {
                "$set": {
                    "tenant_id": document.tenant_id,
                    "document_id": document.document_id,
                    "program_id": document.program_id,
                    "owner_user_id": document.owner_user_id,
                    "name": document.name,
                    "name_lower": document.name.lower(),
                    "description": document.description,
                    "tags": document.tags,
                    "space_id": document.space_id,
                    "shared_users": document.shared_users,
                    "shared_conversations": document.shared_conversations,
                    "shared_program": document.shared_program,
                    "content_type": current["content_type"],
                    "size": current["size"],
                    "versions": len(document.versions),
                    "created_at": document.versions[0]["stored_at"],
                    "updated_at": current["stored_at"],
                    "deleted_at": document.deleted_at,
                    "media": {k: v for k, v in media.items() if k != "preview_key"},
                    "has_preview": bool(media.get("preview_key")),
                    "version": document.version,
                }
            },
            version_field="version",
        )

    async def search(
        self,
        tenant_id: str,
        audience: Audience | None,
        query: SearchQuery,
        after: str | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Documents ``audience`` may see (None: any, for operators), newest first."""
        where: dict[str, Any] = {"tenant_id": tenant_id}
        where["deleted_at"] = {"$ne": None} if query.deleted else None
        if audience is not None:
            if query.deleted:
                where["owner_user_id"] = audience.user_id
            else:
                where["$or"] = [
                    {"owner_user_id": audience.user_id},
                    {"shared_users": audience.user_id},
                    {"space_id": {"$in": sorted(audience.spaces)}},
                    {"shared_program": True, "program_id": {"$in": sorted(audience.programs)}},
                    {"shared_conversations": {"$in": sorted(audience.conversations)}},
                ]
        if query.text:
            where["name_lower"] = {"$regex": re.escape(query.text.lower())}
        if query.tag:
            where["tags"] = query.tag.lower()
        if query.content_type:
            kind = query.content_type.lower()
            where["content_type"] = (
                {"$regex": "^" + re.escape(kind)} if kind.endswith("/") else kind
            )
        for field in ("owner_user_id", "space_id", "program_id"):
            value = getattr(query, field)
            if value is not None and field not in where:
                where[field] = value
        if after is not None:
            where["_id"] = {"$lt": after}
        cursor = self.collection.find(where).sort("_id", DESCENDING).limit(limit)
        return list(await cursor.to_list())

    async def owned_by(self, tenant_id: str, program_id: str, user_id: str) -> list[str]:
        cursor = self.collection.find(
            {"tenant_id": tenant_id, "program_id": program_id, "owner_user_id": user_id},
            {"document_id": 1},
        )
        return [d["document_id"] for d in await cursor.to_list()]

    async def shared_with(self, tenant_id: str, program_id: str, user_id: str) -> list[str]:
        cursor = self.collection.find(
            {"tenant_id": tenant_id, "program_id": program_id, "shared_users": user_id},
            {"document_id": 1},
        )
        return [d["document_id"] for d in await cursor.to_list()]

    async def deleted_before(self, before: str, limit: int = 100) -> list[dict[str, Any]]:
        cursor = self.collection.find(
            {"deleted_at": {"$ne": None, "$lt": before}}, {"tenant_id": 1, "document_id": 1}
        ).limit(limit)
        return list(await cursor.to_list())


class DirectoryStore:
    """Programs' members (profile-changed), spaces (match-made, mentorship-ended) and
    conversations' members (message-sent)."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.memberships = db["memberships"]
        self.spaces = db["spaces"]
        self.conversations = db["conversations"]

    async def ensure_indexes(self) -> None:
        await self.memberships.create_index([("tenant_id", 1), ("user_id", 1)])
        await self.spaces.create_index([("tenant_id", 1), ("members", 1)])
        await self.conversations.create_index([("tenant_id", 1), ("members", 1)])

    # --- fed by events -------------------------------------------------------------------

    async def member_changed(
        self, tenant_id: str, program_id: str, user_id: str, version: int, *, erased: bool
    ) -> bool:
        """Keep the newest state of a membership (an erased one stays as a tombstone, so a
        late older event does not bring it back). True if this event was the newest."""
        return await apply_if_newer(
            self.memberships,
            _key(tenant_id, program_id, user_id),
            version,
            {
                "$set": {
                    "tenant_id": tenant_id,
                    "program_id": program_id,
                    "user_id": user_id,
                    "erased": erased,
                }
            },
            version_field="profile_version",
        )

    async def space_opened(
        self, tenant_id: str, space_id: str, program_id: str, members: list[str]
    ) -> None:
        await upsert(
            self.spaces,
            _key(tenant_id, space_id),
            {
                "$set": {
                    "tenant_id": tenant_id,
                    "space_id": space_id,
                    "program_id": program_id,
                    "members": members,
                },
                "$setOnInsert": {"ended": False},
            },
        )

    async def space_ended(self, tenant_id: str, space_id: str, program_id: str) -> None:
        await upsert(
            self.spaces,
            _key(tenant_id, space_id),
            {
                "$set": {
                    "tenant_id": tenant_id,
                    "space_id": space_id,
                    "program_id": program_id,
                    "ended": True,
                },
                "$setOnInsert": {"members": []},
            },
        )

    async def leave_spaces(self, tenant_id: str, program_id: str, user_id: str) -> None:
        cursor = self.spaces.find(
            {"tenant_id": tenant_id, "program_id": program_id, "members": user_id}
        )
        for space in await cursor.to_list():
            members = [m for m in space["members"] if m != user_id]
            await self.spaces.update_one({"_id": space["_id"]}, {"$set": {"members": members}})

    async def conversation_seen(
        self, tenant_id: str, conversation_id: str, members: list[str]
    ) -> None:
        await upsert(
            self.conversations,
            _key(tenant_id, conversation_id),
            {
                "$set": {"tenant_id": tenant_id, "conversation_id": conversation_id},
                "$addToSet": {"members": {"$each": members}},
            },
        )

    # --- read by the use cases -----------------------------------------------------------

    async def space(self, tenant_id: str, space_id: str) -> Space | None:
        doc = await self.spaces.find_one({"_id": _key(tenant_id, space_id)})
        if doc is None:
            return None
        return Space(
            tenant_id=tenant_id,
            space_id=space_id,
            program_id=doc["program_id"],
            member_user_ids=tuple(doc.get("members", [])),
            open=not doc.get("ended", False),
        )

    async def is_member(self, tenant_id: str, program_id: str, user_id: str) -> bool:
        doc = await self.memberships.find_one({"_id": _key(tenant_id, program_id, user_id)})
        return doc is not None and not doc.get("erased", False)

    async def audience(self, tenant_id: str, user_id: str) -> Audience:
        spaces = await self.spaces.find(
            {"tenant_id": tenant_id, "members": user_id, "ended": False}, {"space_id": 1}
        ).to_list()
        programs = await self.memberships.find(
            {"tenant_id": tenant_id, "user_id": user_id, "erased": False}, {"program_id": 1}
        ).to_list()
        conversations = await self.conversations.find(
            {"tenant_id": tenant_id, "members": user_id}, {"conversation_id": 1}
        ).to_list()
        return Audience(
            user_id=user_id,
            spaces=frozenset(d["space_id"] for d in spaces),
            programs=frozenset(d["program_id"] for d in programs),
            conversations=frozenset(d["conversation_id"] for d in conversations),
        )
