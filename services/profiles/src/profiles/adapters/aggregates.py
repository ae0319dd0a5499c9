"""Loading aggregates by id: snapshots in front of the event store.

On MongoDB, loading a stream is an indexed query. On FerretDB 1.x (SQLite) only ``_id``
lookups are pushed down to the storage, so ``EventStore.load`` scans the whole events
collection. Each aggregate's latest state is therefore kept in ``aggregate_snapshots``
under ``_id`` = stream id, written after every append (version-guarded) and repaired from
the event store at startup and whenever an append reveals it was stale.

A snapshot is only a cache: appends still name the expected version, so a stale or
missing snapshot can never overwrite newer events; it turns into a 409/412 and a repair.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from chassis.eventstore import Aggregate, EventStore
from chassis.projections import apply_if_newer
from profiles.domain.base import snapshot_state
from profiles.domain.member import Member
from profiles.domain.program import Program, ProgramSpec

A = TypeVar("A", Member, Program)


def _restore(cls: type[A], stream_id: str, state: dict[str, Any]) -> A:
    aggregate = cls(stream_id)
    for key, value in state.items():
        setattr(aggregate, key, value)
    if isinstance(aggregate, Program) and state.get("spec") is not None:
        aggregate.spec = ProgramSpec.model_validate(state["spec"])
    aggregate.pending = []
    return aggregate


class Aggregates:
    def __init__(self, events: EventStore, db: AsyncDatabase) -> None:
        self.events = events
        self.snapshots = db["aggregate_snapshots"]

    async def load(self, cls: type[A], stream_id: str) -> A:
        """The latest known state; a stream without snapshot is taken as new."""
        doc = await self.snapshots.find_one({"_id": stream_id})
        if doc is None:
            return cls(stream_id)
        return _restore(cls, stream_id, doc["state"])

    async def load_from_events(self, cls: type[A], stream_id: str) -> A:
        """Fold the stream from the event store (slow on FerretDB) and repair the snapshot."""
        aggregate = cls.rehydrate(stream_id, await self.events.load(stream_id))
        if aggregate.version:
            await self.save(aggregate)
        return aggregate

    async def save(self, aggregate: Aggregate) -> bool:
        return await apply_if_newer(
            self.snapshots,
            aggregate.stream_id,
            aggregate.version,
            {"$set": {"state": snapshot_state(aggregate), "version": aggregate.version}},
        )

    async def insert_new(self, aggregates: list[Aggregate]) -> list[Aggregate]:
        """Bulk path for imports; returns the aggregates whose snapshot already existed."""
        if not aggregates:
            return []
        docs = [
            {
                "_id": a.stream_id,
                "state": snapshot_state(a),
                "version": a.version,
                "source_version": a.version,
            }
            for a in aggregates
        ]
        try:
            await self.snapshots.insert_many(docs, ordered=False)
            return []
        except BulkWriteError as exc:
            failed = {e["index"] for e in exc.details.get("writeErrors", [])}
            return [aggregates[i] for i in sorted(failed)]

    async def versions(self) -> dict[str, int]:
        return {
            d["_id"]: d.get("version", 0)
            async for d in self.snapshots.find({}, {"_id": 1, "version": 1})
        }
