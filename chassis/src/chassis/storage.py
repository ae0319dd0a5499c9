"""Storage profiles: how documents are laid out for the MongoDB wire server in use.

Production runs real MongoDB, and the default profile (``mongodb``) is right for it: plain
collections, documents as documents. The local stack and the tests run FerretDB 1.x on
SQLite, where (measured) every update costs a pass over the whole table and nested
documents are converted field by field on every read and write; its profile (``ferretdb``)
spreads hot collections over partitions and stores blobs read whole by ``_id`` packed.
Services ask this module for their collections and blobs, so no workaround for the
stand-in leaks into domain or application code. ``<SERVICE>_STORAGE_PROFILE`` selects it.

The race-safe helpers (:func:`upsert`, :func:`replace`) are right on both: two concurrent
upserts of a missing document can both try to insert it, and the loser's valid update then
fails with a duplicate key; once the document exists the update goes through.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient

T = TypeVar("T")
ATTEMPTS = 3
ProfileName = Literal["mongodb", "ferretdb"]


def pack_json(value: Any) -> bytes:
    """A JSON-able value as one compressed binary field."""
    return zlib.compress(json.dumps(value, separators=(",", ":"), default=str).encode(), 1)


def unpack_json(packed: bytes) -> Any:
    return json.loads(zlib.decompress(packed))


async def retry_duplicate(operation: Callable[[], Awaitable[T]]) -> T:
    for attempt in range(ATTEMPTS):
        try:
            return await retry_transient(operation)
        except DuplicateKeyError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def upsert(collection: AsyncCollection, doc_id: str, update: dict[str, Any]) -> None:
    """``update_one({"_id": doc_id}, update, upsert=True)``, safe under concurrent upserts."""
    await retry_duplicate(lambda: collection.update_one({"_id": doc_id}, update, upsert=True))


async def replace(collection: AsyncCollection, doc_id: str, doc: dict[str, Any]) -> None:
    await retry_duplicate(lambda: collection.replace_one({"_id": doc_id}, doc, upsert=True))


class Partitioned:
    """One logical collection spread over ``partitions`` physical ones by a hash of ``_id``.

    With ``partitions=1`` this is the plain collection ``name`` (the layout for MongoDB,
    which updates by ``_id`` through its index whatever the size). Otherwise the physical
    collections are ``<name>.p<i>``; documents found in the plain collection (a database
    written with one partition) are moved into them by :meth:`migrate`. Reads and writes
    name a document by ``_id`` and go to its partition (:meth:`of`); scans visit them all.
    """

    def __init__(self, db: AsyncDatabase, name: str, partitions: int) -> None:
        if partitions < 1:
            raise ValueError("partitions must be at least 1")
        self.name = name
        self.legacy = db[name]
        self.collections: list[AsyncCollection] = (
            [self.legacy]
            if partitions == 1
            else [db[f"{name}.p{index:03d}"] for index in range(partitions)]
        )

    def partition(self, doc_id: str) -> int:
        if len(self.collections) == 1:
            return 0
        return zlib.crc32(doc_id.encode()) % len(self.collections)

    def of(self, doc_id: str) -> AsyncCollection:
        return self.collections[self.partition(doc_id)]

    async def insert_many(self, docs: list[dict[str, Any]], batch: int = 500) -> None:
        """Bulk insert of new documents (each with its ``_id``), in batches per partition."""
        groups: dict[int, list[dict[str, Any]]] = {}
        for doc in docs:
            groups.setdefault(self.partition(doc["_id"]), []).append(doc)
        for index, group in groups.items():
            for start in range(0, len(group), batch):
                await self.collections[index].insert_many(group[start : start + batch])

    def __iter__(self) -> Iterator[AsyncCollection]:
        return iter(self.collections)

    async def find_one(self, doc_id: str, projection: Any = None) -> dict[str, Any] | None:
        return await self.of(doc_id).find_one({"_id": doc_id}, projection)

    async def find_all(
        self, query: Mapping[str, Any] | None = None, projection: Any = None
    ) -> AsyncIterator[dict[str, Any]]:
        for collection in self.collections:
            async for doc in collection.find(dict(query or {}), projection):
                yield doc

    async def drop(self) -> None:
        for collection in self.collections:
            await collection.drop()

    async def migrate(self) -> int:
        """Move documents of the single-collection layout into the partitions (startup)."""
        if len(self.collections) == 1:
            return 0
        moved = seen = 0
        async for doc in self.legacy.find({}):
            seen += 1
            try:
                await retry_transient(lambda d=doc: self.of(d["_id"]).insert_one(d))  # type: ignore[misc]
                moved += 1
            except DuplicateKeyError:
                pass  # copied by an interrupted start, or already rewritten since
        if seen:
            # one drop, not a delete per document (each is a table pass on FerretDB)
            await self.legacy.drop()
        return moved


@dataclass(frozen=True)
class StorageProfile:
    """How this service lays out documents; see the module docstring."""

    name: ProfileName = "mongodb"
    #: physical collections per hot collection (1 on MongoDB)
    partitions: int = 1
    #: store blobs read whole by ``_id`` as compressed JSON (FerretDB) or as documents
    packed: bool = False

    @classmethod
    def named(cls, name: ProfileName, *, partitions: int | None = None) -> StorageProfile:
        if name == "ferretdb":
            return cls("ferretdb", partitions if partitions is not None else 32, packed=True)
        return cls("mongodb", partitions if partitions is not None else 1, packed=False)

    def hot(self, db: AsyncDatabase, name: str) -> Partitioned:
        """A collection written on a hot path, by ``_id``."""
        return Partitioned(db, name, self.partitions)

    def pack(self, value: Any) -> Any:
        return pack_json(value) if self.packed else value

    def unpack(self, stored: Any) -> Any:
        return unpack_json(stored) if isinstance(stored, bytes) else stored
