"""The profile read model: what matching knows about programs and their members.

Every hot-path read and write names one document by ``_id`` (the one filter FerretDB 1.x
pushes down to SQLite; on MongoDB it is the primary key). Keys:

* ``programs``  ``<tenant>|<program>``: the latest ``program-changed`` configuration;
* ``profiles``  ``<tenant>|<program>|<member>``: the matchable profile (snapshot, roles,
  embedding) plus availability from the mentors' books (``load``, ``mentee_matches``,
  ``pause``); an erased member leaves a tombstone (version only) so a late duplicate of an
  older event cannot bring them back;
* ``program_members`` ``<tenant>|<program>|u|<user>``: the caller's member id and roles, so
  a request is authorised with one point read;
* ``pool_changes`` ``<tenant>|<program>|<seq>`` and ``pools`` ``<tenant>|<program>``: a
  sequence number per program, claimed by every write to a profile document (by inserting
  the change entry that names the member, see ``_claim``), and the latest one as a hint.
  Replicas keep scoring pools in memory; before using one they follow the entries after
  the last seq they applied and fetch just the members that changed (point reads).

Full scans happen only at startup, to build the in-memory pools. ``profiles`` and
``program_members`` are hot collections of the storage profile (:mod:`chassis.storage`:
one plain collection on MongoDB, partitions on the FerretDB stand-in, whose cost per write
grows with the collection). On the stand-in a profile's snapshot is also stored packed
(``snapshot_z``, one binary field) and unpacked on read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure

from chassis.mongo import retry_transient
from chassis.storage import StorageProfile, unpack_json, upsert
from chassis.storage import replace as replace_document
from matching.domain.member_profiles import member_key

__all__ = ["ProfileStore", "member_key", "program_key", "user_key"]


def program_key(tenant_id: str, program_id: str) -> str:
    return f"{tenant_id}|{program_id}"


def user_key(tenant_id: str, program_id: str, user_id: str) -> str:
    return f"{tenant_id}|{program_id}|u|{user_id}"


class ProfileStore:
    def __init__(self, db: AsyncDatabase, *, storage: StorageProfile) -> None:
        self.storage = storage
        self.programs = db["programs"]
        self.profiles = storage.hot(db, "profiles")
        self.members = storage.hot(db, "program_members")
        self.pools = db["pools"]
        self.changes = db["pool_changes"]
        self._allocated: dict[tuple[str, str, int], int] = {}
        self._claimed: dict[str, int] = {}  # program key -> the last seq this process took

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
        """Tell the other replicas' pools to pick the new rules up (see ScoringPools.refresh)."""
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
        return await self.profile_by_key(member_key(tenant_id, program_id, member_id))

    async def profile_by_key(self, key: str) -> dict[str, Any] | None:
        doc = await self.profiles.find_one(key)
        return None if doc is None else _unpacked(doc)

    async def all_profiles(self) -> AsyncIterator[dict[str, Any]]:
        async for doc in self.profiles.find_all():
            yield _unpacked(doc)

    async def import_profiles(self, docs: list[dict[str, Any]]) -> None:
        """Insert projection documents not stored yet (``_id`` = member key) in bulk: a load
        that a restart then reads like any other (tools, benchmarks)."""
        await self.profiles.insert_many([self._packed(doc) for doc in docs])

    async def write_profile(
        self, doc_id: str, fields: Mapping[str, Any], *, replace: bool = False
    ) -> int:
        """Claim the program's next seq for this member, then write the profile fields (or
        replace the document) stamped with it; returns the seq."""
        tenant_id, program_id, member_id = doc_id.split("|", 2)
        seq = await self._claim(tenant_id, program_id, member_id)
        body = self._packed({**fields, "pool_seq": seq, "updated_at": datetime.now(UTC)})
        collection = self.profiles.of(doc_id)
        if replace:
            await replace_document(collection, doc_id, body)
        elif "snapshot_z" in body or "snapshot" in body:
            # and drop the other form a document written under another storage profile has
            stale = "snapshot" if "snapshot_z" in body else "snapshot_z"
            await upsert(collection, doc_id, {"$set": body, "$unset": {stale: ""}})
        else:
            await upsert(collection, doc_id, {"$set": body})
        return seq

    async def write_availability(
        self, tenant_id: str, program_id: str, member_id: str, fields: Mapping[str, Any]
    ) -> int | None:
        """Availability from the mentor's book (load, pause, matches) of a live profile;
        None when there is no such profile."""
        doc_id = member_key(tenant_id, program_id, member_id)
        current = await self.profiles.find_one(doc_id, {"erased": 1})
        if current is None or current.get("erased"):
            return None
        return await self.write_profile(doc_id, fields)

    async def _claim(self, tenant_id: str, program_id: str, member_id: str) -> int:
        """The next sequence number of a program, taken by inserting its change-log entry.

        A unique ``_id`` is the one primitive that is atomic on FerretDB 1.x as well: there,
        concurrent ``$inc`` updates lose increments (measured: 100 concurrent
        ``find_one_and_update($inc)`` left the counter at 65 and handed out the same number
        twice). So the entry ``<program>|<seq>`` is inserted first, trying the numbers after
        the last known one until an insert succeeds; claimed numbers are therefore
        contiguous. ``pools.seq`` is only a hint (raised with ``$max``, which may lose a
        race as well): readers follow the entries themselves (see ``ScoringPools.refresh``). The
        entry exists before the profile document carries its seq: a reader that finds the
        document older than the entry knows the write is still in flight.
        """
        key = program_key(tenant_id, program_id)
        state = await self.pools.find_one({"_id": key}) or {}
        seq = max(int(state.get("seq", 0)), self._claimed.get(key, 0)) + 1
        while True:
            entry = {"_id": f"{key}|{seq}", "member_id": member_id, "at": datetime.now(UTC)}
            try:
                await retry_transient(lambda e=entry: self.changes.insert_one(e))  # type: ignore[misc]
                break
            except DuplicateKeyError:
                seq += 1
        self._claimed[key] = seq
        await upsert(self.pools, key, {"$max": {"seq": seq}})
        if len(self._allocated) > 10_000:  # entries are taken at once; this is a backstop
            self._allocated.clear()
        self._allocated[(tenant_id, program_id, seq)] = int(state.get("program_version", 0))
        return seq

    def allocation(self, tenant_id: str, program_id: str, seq: int) -> int | None:
        """The program version the pools document held when this process claimed ``seq``
        (once; None if unknown): with it, a pool that applied every seq before ``seq`` and
        holds that program version knows it has missed nothing, without reading."""
        return self._allocated.pop((tenant_id, program_id, seq), None)

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

    def _packed(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """A profile document as stored: on a packing storage profile the snapshot (nested
        fields and lists, read whole) as one binary field."""
        if "snapshot" not in doc or not self.storage.packed:
            return dict(doc)
        body = {k: v for k, v in doc.items() if k != "snapshot"}
        body["snapshot_z"] = self.storage.pack(doc["snapshot"])
        return body

    async def delete_membership(self, tenant_id: str, program_id: str, user_id: str) -> None:
        key = user_key(tenant_id, program_id, user_id)
        await retry_transient(lambda: self.members.of(key).delete_one({"_id": key}))


def _unpacked(doc: dict[str, Any]) -> dict[str, Any]:
    if "snapshot_z" in doc:
        doc["snapshot"] = unpack_json(doc.pop("snapshot_z"))
    return doc
