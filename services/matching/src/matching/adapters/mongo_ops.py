"""Point writes that tolerate the races of several replicas, and partitioned collections.

Two concurrent upserts of a document that does not exist yet can both try to insert it;
the loser gets a duplicate-key error although its update is perfectly valid. Once the
document exists the update goes through, so these helpers simply try again.

:class:`Partitioned` spreads a collection that is written on a hot path over several, so
that a write on FerretDB 1.x costs a pass over a small table instead of a large one.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient

T = TypeVar("T")
ATTEMPTS = 3


def pack_json(value: Any) -> bytes:
    """A JSON-able value as one compressed binary field.

    FerretDB 1.x converts nested documents field by field on every read and write: a list
    of ten explained recommendations (18 KB as BSON) took ~20 ms to read and ~35 ms to
    write there, the same list packed (2 KB) ~2.5 ms each. For values only ever read whole
    by ``_id``, packing costs ~0.3 ms of CPU and loses nothing (nothing queries inside).
    """
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

    FerretDB 1.x (SQLite) pushes ``{_id: value}`` down for reads, but every update or
    replace costs a pass over the whole table (measured: ~60 ms for 10,000 small documents,
    ~120 ms for 10,000 profiles, against ~2 ms for a point read and ~1 ms for an insert), so
    a write's cost grows with the collection. Spreading a collection that is written on a
    hot path over N tables divides that by N. Reads and writes name a document by ``_id``
    and go to its partition (:meth:`of`); scans (startup loads) visit every partition.

    With ``partitions=1`` this is the plain collection ``name`` (the layout MongoDB needs:
    it updates by ``_id`` through its index whatever the size). Otherwise the physical
    collections are ``<name>.p<i>``; documents found in the plain collection (a database
    written with one partition) are moved into them by :meth:`migrate`.
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
