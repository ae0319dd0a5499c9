"""MongoDB documents the matching service keeps about programs and their members.

Every hot-path read and write names one document by ``_id`` (the one filter FerretDB 1.x
pushes down to SQLite; on MongoDB it is the primary key). Keys:

* ``programs``  ``<tenant>|<program>``: the latest ``program-changed`` configuration;
* ``profiles``  ``<tenant>|<program>|<member>``: the matchable profile (snapshot, roles,
  embedding) plus availability written by the desks (``load``, ``mentee_matches``,
  ``pause``); an erased member leaves a tombstone (version only) so a late duplicate of an
  older event cannot bring them back;
* ``program_members`` ``<tenant>|<program>|u|<user>``: the caller's member id and roles, so
  a request is authorised with one point read;
* ``pools`` ``<tenant>|<program>`` and ``pool_changes`` ``<tenant>|<program>|<seq>``: a
  sequence number per program, bumped by every write to a profile document, with the member
  it concerned. Replicas keep scoring pools in memory; before using one they compare its
  sequence with the stored one and fetch just the members that changed (point reads).

Full scans happen only at startup, to build the in-memory pools. ``profiles`` and
``program_members`` are :class:`~matching.adapters.mongo_ops.Partitioned` (one collection
with ``partitions=1``): every profile event writes them, and FerretDB's cost per write grows
with the collection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure

from chassis.mongo import retry_transient
from matching.adapters.mongo_ops import Partitioned, retry_duplicate, upsert
from matching.adapters.mongo_ops import replace as replace_document


def program_key(tenant_id: str, program_id: str) -> str:
    return f"{tenant_id}|{program_id}"


def member_key(tenant_id: str, program_id: str, member_id: str) -> str:
    return f"{tenant_id}|{program_id}|{member_id}"


def user_key(tenant_id: str, program_id: str, user_id: str) -> str:
    return f"{tenant_id}|{program_id}|u|{user_id}"


class ProjectionStore:
    def __init__(self, db: AsyncDatabase, *, partitions: int = 1) -> None:
        self.programs = db["programs"]
        self.profiles = Partitioned(db, "profiles", partitions)
        self.members = Partitioned(db, "program_members", partitions)
        self.pools = db["pools"]
        self.changes = db["pool_changes"]

    async def ensure_indexes(self) -> None:
        await self.profiles.migrate()
        await self.members.migrate()
        # Used on MongoDB only (startup loads, rebuilds); FerretDB scans either way.
        for partition in self.profiles:
            await partition.create_index([("tenant_id", ASCENDING), ("program_id", ASCENDING)])
        try:  # MongoDB expires old change entries; FerretDB 1.x has no TTL indexes
            await self.changes.create_index("at", expireAfterSeconds=7 * 24 * 3600)
        except OperationFailure:
            pass

    # ------------------------------------------------------------------ programs

    async def program(self, tenant_id: str, program_id: str) -> dict[str, Any] | None:
        return await self.programs.find_one({"_id": program_key(tenant_id, program_id)})

    async def put_program(self, doc: Mapping[str, Any]) -> bool:
        """Store a program configuration unless a newer one is stored (point ops only)."""
        key = program_key(doc["tenant_id"], doc["program_id"])
        current = await self.programs.find_one({"_id": key}, {"program_version": 1})
        if current is not None and current["program_version"] >= doc["program_version"]:
            # a retry after a crash between the two writes still announces it
            await self.announce_program(doc["tenant_id"], doc["program_id"], doc["program_version"])
            return False
        await upsert(self.programs, key, {"$set": {**doc, "updated_at": datetime.now(UTC)}})
        await self.announce_program(doc["tenant_id"], doc["program_id"], doc["program_version"])
        return True

    async def announce_program(self, tenant_id: str, program_id: str, version: int) -> None:
        """Tell the other replicas' pools to pick the new rules up (see Pools.refresh)."""
        await upsert(
            self.pools, program_key(tenant_id, program_id), {"$max": {"program_version": version}}
        )

    async def all_programs(self) -> AsyncIterator[dict[str, Any]]:
        async for doc in self.programs.find({}):
            yield doc

    # ------------------------------------------------------------------ profiles

    async def profile(
        self, tenant_id: str, program_id: str, member_id: str
    ) -> dict[str, Any] | None:
        return await self.profiles.find_one(member_key(tenant_id, program_id, member_id))

    async def profile_by_key(self, key: str) -> dict[str, Any] | None:
        return await self.profiles.find_one(key)

    async def all_profiles(self) -> AsyncIterator[dict[str, Any]]:
        async for doc in self.profiles.find_all():
            yield doc

    async def import_profiles(self, docs: list[dict[str, Any]]) -> None:
        """Insert projection documents not stored yet (``_id`` = member key) in bulk: a load
        that a restart then reads like any other (tools, benchmarks)."""
        await self.profiles.insert_many(docs)

    async def write_profile(
        self, doc_id: str, fields: Mapping[str, Any], *, replace: bool = False
    ) -> int:
        """Write profile fields (or replace the document) and announce it; returns the seq."""
        tenant_id, program_id, member_id = doc_id.split("|", 2)
        seq = await self._next_seq(tenant_id, program_id)
        body = {**fields, "pool_seq": seq, "updated_at": datetime.now(UTC)}
        collection = self.profiles.of(doc_id)
        if replace:
            await replace_document(collection, doc_id, body)
        else:
            await upsert(collection, doc_id, {"$set": body})
        await self._announce(tenant_id, program_id, seq, member_id)
        return seq

    async def write_availability(
        self, tenant_id: str, program_id: str, member_id: str, fields: Mapping[str, Any]
    ) -> int | None:
        """Desk-derived fields of a live profile; None when there is no such profile."""
        doc_id = member_key(tenant_id, program_id, member_id)
        current = await self.profiles.find_one(doc_id, {"erased": 1})
        if current is None or current.get("erased"):
            return None
        return await self.write_profile(doc_id, fields)

    async def _next_seq(self, tenant_id: str, program_id: str) -> int:
        doc = await retry_duplicate(
            lambda: self.pools.find_one_and_update(
                {"_id": program_key(tenant_id, program_id)},
                {"$inc": {"seq": 1}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        )
        assert doc is not None  # upserted
        return int(doc["seq"])

    async def _announce(self, tenant_id: str, program_id: str, seq: int, member_id: str) -> None:
        entry = {
            "_id": f"{program_key(tenant_id, program_id)}|{seq}",
            "member_id": member_id,
            "at": datetime.now(UTC),
        }
        try:
            await retry_transient(lambda: self.changes.insert_one(entry))
        except DuplicateKeyError:  # pragma: no cover - seqs are unique
            pass

    async def prune_changes(self, older_than: datetime) -> int:
        """Drop change-log entries no replica needs any more (FerretDB has no TTL index)."""
        result = await self.changes.delete_many({"at": {"$lt": older_than}})
        return int(result.deleted_count)

    async def pool_seq(self, tenant_id: str, program_id: str) -> int:
        doc = await self.pool_state(tenant_id, program_id)
        return int(doc.get("seq", 0)) if doc else 0

    async def pool_state(self, tenant_id: str, program_id: str) -> dict[str, Any] | None:
        return await self.pools.find_one({"_id": program_key(tenant_id, program_id)})

    async def changed_member(self, tenant_id: str, program_id: str, seq: int) -> str | None:
        doc = await self.changes.find_one({"_id": f"{program_key(tenant_id, program_id)}|{seq}"})
        return None if doc is None else str(doc["member_id"])

    # ------------------------------------------------------------------ membership index

    async def membership(
        self, tenant_id: str, program_id: str, user_id: str
    ) -> dict[str, Any] | None:
        return await self.members.find_one(user_key(tenant_id, program_id, user_id))

    async def put_membership(
        self, tenant_id: str, program_id: str, user_id: str, member_id: str, roles: list[str]
    ) -> None:
        """Point read, then a write only if it differs: most profile edits keep the member
        and roles, and FerretDB scans the collection for every update (never for a read)."""
        key = user_key(tenant_id, program_id, user_id)
        current = await self.members.find_one(key)
        if current is not None and (current.get("member_id"), current.get("roles")) == (
            member_id,
            roles,
        ):
            return
        await upsert(self.members.of(key), key, {"$set": {"member_id": member_id, "roles": roles}})

    async def delete_membership(self, tenant_id: str, program_id: str, user_id: str) -> None:
        key = user_key(tenant_id, program_id, user_id)
        await retry_transient(lambda: self.members.of(key).delete_one({"_id": key}))
