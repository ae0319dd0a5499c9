"""Event store on MongoDB, doubling as the transactional outbox.

One document per event. A unique index on ``(stream_id, version)`` gives optimistic
concurrency: two writers that loaded the same version race for the same first
``version`` number, the loser gets :class:`ConcurrencyError` and nothing of its batch is
written (events are inserted in order, so the first insert is the one that can collide).

An event may carry an *integration event* (a ``mentorship_contracts`` payload) in
``outbox``: that is what :class:`chassis.outbox.OutboxRelay` publishes to Kafka. Domain
events without one stay internal. Because the outbox is the event document itself, an
event is never stored without its message, and no multi-document transaction is needed.
Event documents are written once and never updated by the relay: what was published is
recorded beside them (see :mod:`chassis.outbox`), because on FerretDB an update costs
several times an insert.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from chassis.errors import Conflict
from chassis.mongo import retry_transient
from chassis.telemetry import current_traceparent
from mentorship_contracts.events.base import EventPayload
from mentorship_contracts.topics import topic_for

#: The order of the whole store: by time of recording, then stream order.
RECORDED_ORDER = [("recorded_at", ASCENDING), ("stream_id", ASCENDING), ("version", ASCENDING)]


class ConcurrencyError(Conflict):
    """Someone else appended to the stream since it was loaded."""

    title = "Concurrent modification"


@dataclass(frozen=True)
class Publish:
    """The integration event to put on Kafka for a domain event."""

    payload: EventPayload
    key: str | None = None  # default: the payload's key field declared in the topic registry
    subject: str | None = None


@dataclass(frozen=True)
class NewEvent:
    type: str
    data: Mapping[str, Any]
    publish: Publish | None = None


@dataclass(frozen=True)
class StoredEvent:
    id: str
    stream_id: str
    version: int
    type: str
    tenant_id: str
    data: dict[str, Any]
    recorded_at: datetime
    traceparent: str | None = None
    outbox: dict[str, Any] | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> StoredEvent:
        return cls(
            id=doc["_id"],
            stream_id=doc["stream_id"],
            version=doc["version"],
            type=doc["type"],
            tenant_id=doc["tenant_id"],
            data=doc["data"],
            recorded_at=doc["recorded_at"],
            traceparent=doc.get("traceparent"),
            outbox=doc.get("outbox"),
        )


class EventStore:
    """Append and load event streams in the ``events`` collection of a service database."""

    def __init__(self, db: AsyncDatabase, *, source: str, collection: str = "events") -> None:
        self.collection: AsyncCollection = db[collection]
        self.source = source
        self._listeners: list[Callable[[list[dict[str, Any]]], None]] = []

    async def ensure_indexes(self) -> None:
        await self.collection.create_index(
            [("stream_id", ASCENDING), ("version", ASCENDING)], unique=True, name="stream_version"
        )
        # replays and the relay's sweep read in this order
        await self.collection.create_index(RECORDED_ORDER, name="recorded_order")

    def on_append(self, listener: Callable[[list[dict[str, Any]]], None]) -> None:
        """Register a callable given the stored documents after every successful append."""
        self._listeners.append(listener)

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        tenant_id: str,
    ) -> list[StoredEvent]:
        """Append ``events`` after ``expected_version`` (0 for a new stream)."""
        if not events:
            return []
        docs = self._documents(stream_id, expected_version, events, tenant_id)
        try:
            # FerretDB inserts a batch in one SQLite transaction: a failed try wrote nothing.
            await retry_transient(lambda: self.collection.insert_many(docs, ordered=True))
        except (DuplicateKeyError, BulkWriteError) as exc:
            if isinstance(exc, BulkWriteError) and exc.details.get("nInserted", 0):
                # Only possible if another writer skipped versions; surface it loudly.
                raise ConcurrencyError(
                    f"stream {stream_id} changed while appending (partial batch)"
                ) from exc
            raise ConcurrencyError(
                f"stream {stream_id} is no longer at version {expected_version}; reload and retry",
                expected_version=expected_version,
            ) from exc
        self._appended(docs)
        return [StoredEvent.from_document(d) for d in docs]

    async def append_new_streams(
        self, batch: Sequence[tuple[str, Sequence[NewEvent]]], *, tenant_id: str
    ) -> set[str]:
        """Start many new streams in one round trip (bulk imports); returns the failed ones.

        Each stream's events go in at versions 1..n, all streams in one unordered
        ``insert_many``. The unique ``(stream_id, version)`` index still decides: a stream
        that already existed makes its documents fail, and is returned; any of its events
        that did go in (the stream had fewer) are removed again.
        """
        docs: list[dict[str, Any]] = []
        owners: list[str] = []
        for stream_id, events in batch:
            docs += self._documents(stream_id, 0, events, tenant_id)
            owners += [stream_id] * len(events)
        if not docs:
            return set()
        failed: set[str] = set()
        try:
            await retry_transient(lambda: self.collection.insert_many(docs, ordered=False))
        except BulkWriteError as exc:
            rejected = {e["index"] for e in exc.details.get("writeErrors", [])}
            failed = {owners[i] for i in rejected}
            strays = [
                d["_id"] for i, d in enumerate(docs) if owners[i] in failed and i not in rejected
            ]
            if strays:
                await self.collection.delete_many({"_id": {"$in": strays}})
        self._appended([d for i, d in enumerate(docs) if owners[i] not in failed])
        return failed

    def _appended(self, docs: list[dict[str, Any]]) -> None:
        for listener in self._listeners:
            listener(docs)

    def _documents(
        self, stream_id: str, after_version: int, events: Sequence[NewEvent], tenant_id: str
    ) -> list[dict[str, Any]]:
        """The stored form of ``events``, at versions after ``after_version``."""
        traceparent, tracestate = current_traceparent()
        now = datetime.now(UTC)
        docs = []
        for offset, event in enumerate(events, start=1):
            event_id = str(uuid.uuid4())
            doc: dict[str, Any] = {
                "_id": event_id,
                "stream_id": stream_id,
                "version": after_version + offset,
                "type": event.type,
                "tenant_id": tenant_id,
                "data": dict(event.data),
                "recorded_at": now,
                "traceparent": traceparent,
            }
            if event.publish is not None:
                doc["outbox"] = self._outbox_entry(
                    event_id, tenant_id, now, event.publish, traceparent, tracestate
                )
            docs.append(doc)
        return docs

    def _outbox_entry(
        self,
        event_id: str,
        tenant_id: str,
        now: datetime,
        publish: Publish,
        traceparent: str | None,
        tracestate: str | None,
    ) -> dict[str, Any]:
        payload = publish.payload
        key = publish.key or topic_for(payload).key_of(payload)
        return {
            "topic": payload.TOPIC,
            "key": key,
            "ce": {
                "id": event_id,
                "source": self.source,
                "type": payload.EVENT_TYPE,
                "subject": publish.subject or key,
                "time": now.isoformat(),
                "dataschema": payload.dataschema(),
                "dataversion": payload.VERSION,
                "tenantid": tenant_id,
                "traceparent": traceparent,
                "tracestate": tracestate,
            },
            "data": payload.model_dump(mode="json"),
        }

    async def load(self, stream_id: str, *, after_version: int = 0) -> list[StoredEvent]:
        cursor = self.collection.find(
            {"stream_id": stream_id, "version": {"$gt": after_version}}
        ).sort("version", ASCENDING)
        return [StoredEvent.from_document(d) async for d in cursor]

    async def all_events(self, *, batch_size: int = 1000) -> AsyncIterator[StoredEvent]:
        """Every event in recorded order (stream order within a stream): for replays."""
        cursor = self.collection.find({}, batch_size=batch_size).sort(RECORDED_ORDER)
        async for doc in cursor:
            yield StoredEvent.from_document(doc)


@dataclass(frozen=True)
class Recorded:
    """An event a command recorded, not yet stored, and the version it will have."""

    type: str
    data: dict[str, Any]
    version: int


class Aggregate:
    """Base for event-sourced aggregates: state is the fold of its events.

    Subclasses implement ``apply(event_type, data)``. A command *records* its events
    (:meth:`record` applies each at once and keeps it in ``pending``); the application
    appends ``pending`` at ``loaded_version`` and clears it.
    """

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        self.version = 0
        self.pending: list[Recorded] = []

    def apply(self, event_type: str, data: Mapping[str, Any]) -> None:  # pragma: no cover
        raise NotImplementedError

    def record(self, event_type: str, data: Mapping[str, Any]) -> Recorded:
        event = Recorded(event_type, dict(data), self.version + 1)
        self.apply(event_type, event.data)
        self.version = event.version
        self.pending.append(event)
        return event

    @property
    def loaded_version(self) -> int:
        """The version the aggregate had when loaded: the append's expected version."""
        return self.version - len(self.pending)

    @classmethod
    def rehydrate(cls, stream_id: str, events: Sequence[StoredEvent]) -> Self:
        aggregate = cls(stream_id)
        for event in events:
            aggregate.apply(event.type, event.data)
            aggregate.version = event.version
        return aggregate
