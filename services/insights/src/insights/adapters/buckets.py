"""The read model's buckets in MongoDB: one blob per bucket, read and written by ``_id``.

A bucket is a JSON blob (compressed): its entries are keyed by ids that may hold any
character, and a report reads it whole, so it is stored as one binary field on every
backend. The buckets live in their own database (``INSIGHTS_REPORTS_DB``), which can be
dropped and rebuilt from the topics without touching insights' own event store.

**One writer, read through its cache.** FerretDB loses concurrent updates of one
document (and a conditional update can have several winners), so a bucket is changed
read-modify-write under a lock held in this process, with the bucket cached in memory.
The service's consumers are that one writer: run one replica (``deploy/k8s/base/
insights.yaml``). Its reports read through the same cache (a bucket not cached is read
from MongoDB once), so a report is computed from memory: every write goes through the
cache, which therefore holds what is stored (or is being stored: a failed write drops
the bucket from the cache, and the consumer's retry stores it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient
from chassis.storage import StorageProfile, pack_json, replace, unpack_json
from insights.domain.projection import Entries

MAX_CACHED = 20_000


class Buckets:
    def __init__(self, db: AsyncDatabase, *, storage: StorageProfile) -> None:
        self.db = db
        self.buckets = storage.hot(db, "buckets")
        self.programs = db["programs"]
        self._cache: dict[str, Entries] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._known_programs: set[str] = set()
        self._writes: dict[str, int] = {}  # per bucket: how many times this process wrote it
        self._generation = 0

    # --- the one writer -----------------------------------------------------------------

    async def update(self, bucket_id: str, change: Callable[[Entries], bool]) -> bool:
        """Run ``change`` on the bucket's entries; store them if it says it changed them."""
        lock = self._locks.setdefault(bucket_id, asyncio.Lock())
        async with lock:
            entries = self._cache.get(bucket_id)
            if entries is None:
                entries = await self._read(bucket_id)
            if not change(entries):
                self._remember(bucket_id, entries)
                return False
            await self._write(bucket_id, entries)
            self._remember(bucket_id, entries)
            self._writes[bucket_id] = self._writes.get(bucket_id, 0) + 1
        await self._register_program(bucket_id)
        return True

    def _remember(self, bucket_id: str, entries: Entries) -> None:
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        self._cache[bucket_id] = entries

    async def _write(self, bucket_id: str, entries: Entries) -> None:
        tenant_id, program_id, kind, _ = bucket_id.split("|")
        doc = {
            "_id": bucket_id,
            "tenant_id": tenant_id,
            "program_id": program_id,
            "kind": kind,
            "state": pack_json(entries),
        }
        try:
            await replace(self.buckets.of(bucket_id), bucket_id, doc)
        except Exception:
            self._cache.pop(bucket_id, None)  # the stored bucket decides on the retry
            raise

    async def _register_program(self, bucket_id: str) -> None:
        tenant_id, program_id, _, _ = bucket_id.split("|")
        key = f"{tenant_id}|{program_id}"
        if key in self._known_programs:
            return
        try:
            await retry_transient(
                lambda: self.programs.insert_one(
                    {"_id": key, "tenant_id": tenant_id, "program_id": program_id}
                )
            )
        except DuplicateKeyError:
            pass
        self._known_programs.add(key)

    # --- bulk (rebuild) -----------------------------------------------------------------

    async def write_all(self, buckets: Mapping[str, Entries]) -> None:
        """Store a whole rebuilt read model into an empty database."""
        docs = []
        programs: dict[str, dict[str, str]] = {}
        for bucket_id, entries in buckets.items():
            tenant_id, program_id, kind, _ = bucket_id.split("|")
            docs.append(
                {
                    "_id": bucket_id,
                    "tenant_id": tenant_id,
                    "program_id": program_id,
                    "kind": kind,
                    "state": pack_json(entries),
                }
            )
            programs[f"{tenant_id}|{program_id}"] = {
                "_id": f"{tenant_id}|{program_id}",
                "tenant_id": tenant_id,
                "program_id": program_id,
            }
        if docs:
            await self.buckets.insert_many(docs, batch=200)
        if programs:
            await self.programs.insert_many(list(programs.values()), ordered=False)

    async def drop(self) -> None:
        await self.buckets.drop()
        await self.programs.drop()
        self._cache.clear()
        self._known_programs.clear()
        self._generation += 1

    # --- readers ------------------------------------------------------------------------

    async def _read(self, bucket_id: str) -> Entries:
        doc = await retry_transient(lambda: self.buckets.find_one(bucket_id))
        return unpack_json(doc["state"]) if doc is not None else {}

    async def read(self, bucket_id: str) -> Entries:
        """The bucket's entries (cached; read them, never change them)."""
        entries = self._cache.get(bucket_id)
        if entries is None:
            entries = await self._read(bucket_id)
            if bucket_id not in self._cache:  # a write while reading has the newer state
                self._remember(bucket_id, entries)
            entries = self._cache.get(bucket_id, entries)
        return entries

    async def read_many(self, bucket_ids: list[str]) -> list[Entries]:
        missing = [b for b in bucket_ids if b not in self._cache]
        if missing:
            await asyncio.gather(*(self.read(b) for b in missing))
        return [self._cache.get(b) or await self.read(b) for b in bucket_ids]

    def version(self, bucket_id: str) -> tuple[int, int]:
        """Equal versions, equal entries (memoised reports and their parts rely on it)."""
        return (self._generation, self._writes.get(bucket_id, 0))

    async def all_programs(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        async for doc in self.programs.find({}, {"tenant_id": 1, "program_id": 1}):
            out.append((str(doc["tenant_id"]), str(doc["program_id"])))
        return sorted(out)

    async def is_empty(self) -> bool:
        return await self.programs.find_one({}, {"_id": 1}) is None
