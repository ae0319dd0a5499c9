"""What the library's queries read: one document per entry, and the helpful votes.

The entries collection is the projection of the entry streams (version-guarded, so the
projector may apply the same state twice); the search index is rebuilt from it. A vote
is a claim by insert (``<entry>|<user>`` as ``_id``): one per member, atomic on every
MongoDB wire server, and a retried vote is simply the same claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient
from chassis.projections import apply_if_newer


class EntryDocuments:
    def __init__(self, db: AsyncDatabase) -> None:
        self.entries = db["entries"]
        self.votes = db["helpful_votes"]

    async def ensure_indexes(self) -> None:
        await self.entries.create_index(
            [("tenant_id", 1), ("program_id", 1), ("status", 1)], name="program_status"
        )
        await self.entries.create_index([("tenant_id", 1), ("people", 1)], name="people")
        await self.votes.create_index([("entry_id", 1)], name="entry")
        await self.votes.create_index([("tenant_id", 1), ("user_id", 1)], name="voter")

    async def write(self, doc_id: str, version: int, doc: dict[str, Any]) -> bool:
        return await apply_if_newer(self.entries, doc_id, version, {"$set": doc})

    async def get(self, entry_id: str) -> dict[str, Any] | None:
        return await retry_transient(lambda: self.entries.find_one({"_id": entry_id}))

    async def published(self) -> list[dict[str, Any]]:
        """Every published entry (the index rebuild at startup)."""
        return await self.entries.find({"status": "published"}).to_list()

    async def drafts_of(
        self, tenant_id: str, program_id: str, user_id: str
    ) -> list[dict[str, Any]]:
        cursor = self.entries.find(
            {
                "tenant_id": tenant_id,
                "program_id": program_id,
                "status": "draft",
                "author_user_ids": user_id,
            }
        ).sort("_id", 1)
        return await cursor.to_list(length=100)

    async def involving(self, tenant_id: str, program_id: str, user_id: str) -> list[str]:
        """Entries that name ``user_id`` as an author or a member of the source conversation."""
        cursor = self.entries.find(
            {"tenant_id": tenant_id, "program_id": program_id, "people": user_id}, {"_id": 1}
        )
        return [doc["_id"] for doc in await cursor.to_list()]

    # --- votes ----------------------------------------------------------------------------

    async def vote(self, tenant_id: str, entry_id: str, user_id: str) -> bool:
        """Claim the member's one vote; False when they had voted already."""
        doc = {
            "_id": f"{entry_id}|{user_id}",
            "tenant_id": tenant_id,
            "entry_id": entry_id,
            "user_id": user_id,
        }
        try:
            await retry_transient(lambda: self.votes.insert_one(doc))
        except DuplicateKeyError:
            return False
        return True

    async def votes_for(self, entry_ids: Sequence[str]) -> dict[str, int]:
        if not entry_ids:
            return {}
        pipeline: list[dict[str, Any]] = [
            {"$match": {"entry_id": {"$in": list(entry_ids)}}},
            {"$group": {"_id": "$entry_id", "n": {"$sum": 1}}},
        ]
        cursor = await self.votes.aggregate(pipeline)
        return {doc["_id"]: int(doc["n"]) for doc in await cursor.to_list()}

    async def voted(self, entry_id: str, user_id: str) -> bool:
        found = await retry_transient(
            lambda: self.votes.find_one({"_id": f"{entry_id}|{user_id}"}, {"_id": 1})
        )
        return found is not None

    async def forget_votes(self, tenant_id: str, user_id: str) -> None:
        await retry_transient(
            lambda: self.votes.delete_many({"tenant_id": tenant_id, "user_id": user_id})
        )

    async def drop_votes(self, entry_id: str) -> None:
        await retry_transient(lambda: self.votes.delete_many({"entry_id": entry_id}))
