"""Read models: meetings by person and time, mentorships, program members, feeds.

The meetings read model keeps each meeting's whole state (packed where the storage
profile packs blobs) beside the fields queries filter on, so lists, feeds and the
reminder sweep need no event-store reads; updates are version-guarded
(``apply_if_newer``), so an older state never replaces a newer one.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient
from chassis.projections import apply_if_newer
from chassis.storage import StorageProfile, upsert
from scheduling.application.ports import Feed, Pair
from scheduling.domain.meeting import Meeting


class MongoMeetingIndex:
    def __init__(self, db: AsyncDatabase, storage: StorageProfile) -> None:
        self.collection = db["meetings"]
        self.storage = storage

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("tenant_id", ASCENDING), ("organizer", ASCENDING), ("ends_at", ASCENDING)]
        )
        await self.collection.create_index([("tenant_id", ASCENDING), ("members", ASCENDING)])
        await self.collection.create_index([("tenant_id", ASCENDING), ("match_id", ASCENDING)])
        await self.collection.create_index([("starts_at", ASCENDING)])

    async def put(self, meeting: Meeting) -> None:
        """The meeting's latest state; a new meeting is one insert (an update is a table
        pass on FerretDB), a changed one a version-guarded update."""
        members = sorted({meeting.organizer, *meeting.invited, *meeting.seats, *meeting.rsvps})
        fields = {
            "tenant_id": meeting.tenant_id,
            "organizer": meeting.organizer,
            "members": members,
            "match_id": meeting.match_id,
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "status": meeting.status,
            "state": self.storage.pack(meeting.snapshot()),
        }
        if meeting.version == 1:
            try:
                doc = {"_id": meeting.meeting_id, "source_version": 1, **fields}
                await retry_transient(lambda: self.collection.insert_one(doc))
                return
            except DuplicateKeyError:
                pass  # written already (a retry): the guarded update below is a no-op
        await apply_if_newer(self.collection, meeting.meeting_id, meeting.version, {"$set": fields})

    def _meeting(self, doc: dict[str, Any]) -> Meeting:
        return Meeting.restore(
            f"meeting-{doc['_id']}", doc["source_version"], self.storage.unpack(doc["state"])
        )

    async def _find(self, query: dict[str, Any], limit: int = 5000) -> list[Meeting]:
        cursor = self.collection.find(query).sort("starts_at", ASCENDING).limit(limit)
        return [self._meeting(doc) async for doc in cursor]

    async def organized_by(self, tenant: str, user: str, start: int, end: int) -> list[Meeting]:
        return await self._find(
            {
                "tenant_id": tenant,
                "organizer": user,
                "status": {"$ne": "cancelled"},
                "ends_at": {"$gt": start},
                "starts_at": {"$lt": end},
            }
        )

    async def of_member(self, tenant: str, user: str, start: int, end: int) -> list[Meeting]:
        return await self._find(
            {
                "tenant_id": tenant,
                "members": user,
                "ends_at": {"$gt": start},
                "starts_at": {"$lt": end},
            }
        )

    async def of_match(self, tenant: str, match_id: str) -> list[Meeting]:
        return await self._find({"tenant_id": tenant, "match_id": match_id})

    async def starting(self, start: int, end: int) -> list[Meeting]:
        return await self._find(
            {"starts_at": {"$gte": start, "$lt": end}, "status": {"$ne": "cancelled"}}
        )


class MongoPairs:
    """Mentorships from ``match-made`` / ``mentorship-ended``, in either arrival order."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db["mentorships"]

    async def made(self, pair: Pair) -> None:
        await upsert(
            self.collection,
            f"{pair.tenant_id}|{pair.match_id}",
            {
                "$set": {
                    "tenant_id": pair.tenant_id,
                    "match_id": pair.match_id,
                    "program_id": pair.program_id,
                    "mode": pair.mode,
                    "group_id": pair.group_id,
                    "mentor": pair.mentor,
                    "mentees": pair.mentees,
                },
                "$setOnInsert": {"active": True},
            },
        )

    async def ended(self, tenant: str, match_id: str) -> None:
        await upsert(self.collection, f"{tenant}|{match_id}", {"$set": {"active": False}})

    async def get(self, tenant: str, match_id: str) -> Pair | None:
        doc = await self.collection.find_one({"_id": f"{tenant}|{match_id}"})
        if doc is None or "mentor" not in doc:
            return None
        return Pair(
            tenant_id=doc["tenant_id"],
            match_id=doc["match_id"],
            program_id=doc["program_id"],
            mode=doc["mode"],
            group_id=doc.get("group_id"),
            mentor=doc["mentor"],
            mentees=list(doc["mentees"]),
            active=bool(doc["active"]),
        )

    async def forget_user(self, tenant: str, user: str) -> None:
        await self.collection.update_many(
            {"tenant_id": tenant, "mentees": user}, {"$pull": {"mentees": user}}
        )
        await self.collection.update_many(
            {"tenant_id": tenant, "mentor": user}, {"$set": {"active": False}}
        )


class MongoMembers:
    """Program membership from ``profile-changed`` (version-guarded)."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db["program_members"]

    async def set(
        self, tenant: str, program: str, user: str, roles: list[str] | None, version: int
    ) -> None:
        await apply_if_newer(
            self.collection, f"{tenant}|{program}|{user}", version, {"$set": {"roles": roles}}
        )

    async def roles(self, tenant: str, program: str, user: str) -> list[str] | None:
        doc = await self.collection.find_one({"_id": f"{tenant}|{program}|{user}"})
        return None if doc is None or doc.get("roles") is None else list(doc["roles"])


class MongoFeeds:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db["calendar_feeds"]

    async def create(self, token_hash: str, tenant: str, user: str) -> None:
        await self.collection.insert_one(
            {"_id": token_hash, "tenant_id": tenant, "user_id": user, "revoked": False}
        )

    async def find(self, token_hash: str) -> Feed | None:
        doc = await self.collection.find_one({"_id": token_hash})
        if doc is None:
            return None
        return Feed(doc["tenant_id"], doc["user_id"], bool(doc["revoked"]))

    async def revoke_all(self, tenant: str, user: str) -> int:
        result = await self.collection.update_many(
            {"tenant_id": tenant, "user_id": user, "revoked": False},
            {"$set": {"revoked": True}},
        )
        return int(result.modified_count)
