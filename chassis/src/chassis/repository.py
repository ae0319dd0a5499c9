"""The one way aggregates are loaded and saved: latest snapshot + the events after it.

* **load**: the snapshot by ``_id`` (if its ``SNAPSHOT_VERSION`` is the aggregate's), then
  the stream's commits after it, walked by ``_id`` (point reads only). A missing or stale
  snapshot only costs more events to read; the events decide.
* **save**: the pending events as one commit at the version the aggregate was loaded at
  (all or nothing; a concurrent writer makes it a :class:`ConcurrencyError`), with the
  integration events for Kafka in the same insert, then the snapshot: a new stream's is
  an insert (the cheap write on FerretDB), a later one is version-guarded (an older state
  never replaces a newer one on MongoDB; on FerretDB, whose conditional writes are not
  atomic, a lost race leaves an older snapshot, which load repairs by reading the events
  after it).

Every aggregate of every service goes through this class; services do not write
snapshots or event documents of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from chassis.domain import Aggregate, DomainEvent
from chassis.eventstore import EventStore, NewEvent, Publish, StoredEvent
from chassis.mongo import retry_transient
from chassis.storage import StorageProfile

A = TypeVar("A", bound=Aggregate)
Messages = Callable[[Any, Sequence[DomainEvent]], Sequence[Publish]]


def stored_form(event: DomainEvent) -> NewEvent:
    return NewEvent(event.TYPE, event.to_stored(), schema_version=event.VERSION)


class AggregateRepository(Generic[A]):
    """Loads and saves aggregates of one class."""

    def __init__(
        self,
        store: EventStore,
        db: AsyncDatabase,
        aggregate: type[A],
        *,
        storage: StorageProfile,
        snapshots: str,
        snapshot_every: int = 1,
    ) -> None:
        """``snapshot_every``: write a snapshot when a save crosses a multiple of that
        many versions (1: every save). Streams of a few events (a chat message and its
        reactions) load as cheaply from their commits, and a snapshot is one more write."""
        if snapshot_every < 1:
            raise ValueError("snapshot_every must be at least 1")
        self.store = store
        self.aggregate = aggregate
        self.storage = storage
        self.snapshots = storage.hot(db, snapshots)
        self.snapshot_every = snapshot_every

    async def load(self, stream_id: str) -> A:
        """The current state; a stream without events is a new aggregate at version 0."""
        aggregate = await self._from_snapshot(stream_id)
        newer = await self.store.load(
            stream_id, after_version=aggregate.version, at_commit_end=True
        )
        if newer:
            aggregate.fold([self.read(e) for e in newer])
        return aggregate

    async def load_from_events(self, stream_id: str) -> A:
        """Fold the whole stream, ignoring any snapshot (repairs and tests)."""
        events = await self.store.load(stream_id)
        return self.aggregate.from_events(stream_id, [self.read(e) for e in events])

    def read(self, event: StoredEvent) -> DomainEvent:
        """A stored event as the aggregate's typed event (upcast to its current version)."""
        return self.aggregate.event_types.read(event.type, event.schema_version, event.data)

    async def save(
        self, aggregate: A, *, messages: Sequence[Publish] = (), tenant_id: str | None = None
    ) -> list[StoredEvent]:
        """Append the pending events (and ``messages``) as one commit, then snapshot."""
        if not aggregate.pending:
            return []
        stored = await self.store.append(
            aggregate.stream_id,
            aggregate.loaded_version,
            [stored_form(e) for e in aggregate.pending_events],
            tenant_id=tenant_id if tenant_id is not None else aggregate.tenant_id,
            messages=messages,
        )
        loaded = aggregate.loaded_version
        aggregate.mark_saved()
        if aggregate.version // self.snapshot_every == loaded // self.snapshot_every:
            return stored  # loads fold these few commits
        if loaded == 0:
            await self._insert_snapshots([aggregate])
        else:
            await self.write_snapshot(aggregate)
        return stored

    async def save_new(
        self,
        aggregates: Sequence[A],
        *,
        messages: Callable[[A], Sequence[Publish]] = lambda a: (),
        tenant_id: str,
    ) -> list[A]:
        """Start many new streams in one round trip (bulk imports); returns the aggregates
        whose stream already existed (nothing of theirs was written)."""
        batch = [
            (a.stream_id, [stored_form(e) for e in a.pending_events], messages(a))
            for a in aggregates
        ]
        failed = await self.store.append_new_streams(batch, tenant_id=tenant_id)
        saved = [a for a in aggregates if a.stream_id not in failed]
        for aggregate in saved:
            aggregate.mark_saved()
        await self._insert_snapshots(saved)
        return [a for a in aggregates if a.stream_id in failed]

    # --- snapshots -----------------------------------------------------------------------

    def _snapshot_doc(self, aggregate: A) -> dict[str, Any]:
        return {
            "_id": aggregate.stream_id,
            "version": aggregate.version,
            "schema": aggregate.SNAPSHOT_VERSION,
            "state": self.storage.pack(aggregate.snapshot()),
        }

    async def _from_snapshot(self, stream_id: str) -> A:
        doc = await retry_transient(lambda: self.snapshots.find_one(stream_id))
        if doc is None or doc.get("schema") != self.aggregate.SNAPSHOT_VERSION:
            return self.aggregate(stream_id)
        return self.aggregate.restore(stream_id, doc["version"], self.storage.unpack(doc["state"]))

    async def write_snapshot(self, aggregate: A) -> None:
        """Store the aggregate's state unless a newer one is stored."""
        doc = self._snapshot_doc(aggregate)
        collection = self.snapshots.of(aggregate.stream_id)
        try:
            await retry_transient(
                lambda: collection.replace_one(
                    {"_id": aggregate.stream_id, "version": {"$lt": aggregate.version}},
                    doc,
                    upsert=True,
                )
            )
        except DuplicateKeyError:
            pass  # a newer (or the same) state is stored already

    async def _insert_snapshots(self, aggregates: Sequence[A]) -> None:
        if not aggregates:
            return
        try:
            await self.snapshots.insert_many([self._snapshot_doc(a) for a in aggregates])
        except BulkWriteError:
            for aggregate in aggregates:  # some existed (a re-run import): guarded writes
                await self.write_snapshot(aggregate)

    async def delete_snapshots(self) -> None:
        """Forget every snapshot (rebuilds): loads fold the events until saved again."""
        await self.snapshots.drop()
