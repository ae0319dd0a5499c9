"""Event store on MongoDB, doubling as the transactional outbox.

One document per *commit*: every event a command recorded, in one insert. A refused
command therefore writes nothing, and an accepted one writes all of it, without
multi-document transactions (on FerretDB and on MongoDB alike). The commit's ``_id`` is
``<stream id>@<first version>``: two writers that loaded the same version race for the same
``_id``, and the loser gets :class:`ConcurrencyError` (an insert into a unique index is the
one write that is atomic on every MongoDB wire server we run on).

A commit may carry *integration events* (``mentorship_contracts`` payloads) in ``outbox``:
that is what :class:`chassis.outbox.OutboxRelay` publishes to Kafka. Because the outbox is
the commit itself, an event is never stored without its messages. Commits are written once;
what was published is recorded beside them (see :mod:`chassis.outbox`), and only erasure
(:meth:`EventStore.redact`) ever rewrites one.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from chassis.errors import Conflict, InvalidInput
from chassis.mongo import retry_transient
from chassis.storage import StorageProfile, unpack_json
from chassis.telemetry import current_traceparent
from mentorship_contracts.events.base import EventPayload
from mentorship_contracts.topics import topic_for

#: The order of the whole store: by time of recording, then stream order.
RECORDED_ORDER = [("recorded_at", ASCENDING), ("stream_id", ASCENDING), ("first", ASCENDING)]
DUPLICATE_KEY = 11000


class ConcurrencyError(Conflict):
    """Someone else appended to the stream since it was loaded."""

    title = "Concurrent modification"


@dataclass(frozen=True)
class Publish:
    """An integration event to put on Kafka with a commit."""

    payload: EventPayload
    key: str | None = None  # default: the payload's key field declared in the topic registry
    subject: str | None = None


@dataclass(frozen=True)
class NewEvent:
    """A domain event in its stored form: type name, schema version, JSON-ready data."""

    type: str
    data: Mapping[str, Any]
    publish: Publish | None = None  # an integration event that goes with it
    schema_version: int = 1


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
    schema_version: int = 1
    messages: list[dict[str, Any]] = field(default_factory=list)


def commit_id(stream_id: str, first_version: int) -> str:
    return f"{stream_id}@{first_version:09d}"


def readable(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A stored commit with its event and message lists unpacked (see ``StorageProfile``)."""
    out = dict(doc)
    for name in ("events", "outbox"):
        if isinstance(out.get(name), bytes):
            out[name] = unpack_json(out[name])
    return out


def events_of(doc: Mapping[str, Any]) -> list[StoredEvent]:
    """The events of a stored commit, in stream order."""
    doc = readable(doc)
    events = []
    for offset, item in enumerate(doc["events"]):
        events.append(
            StoredEvent(
                id=item["id"],
                stream_id=doc["stream_id"],
                version=doc["first"] + offset,
                type=item["type"],
                tenant_id=doc["tenant_id"],
                data=item["data"],
                recorded_at=doc["recorded_at"],
                traceparent=doc.get("traceparent"),
                schema_version=item.get("v", 1),
                messages=[m for m in doc.get("outbox", []) if m["ce"]["id"] == item["id"]],
            )
        )
    return events


def check_keys(value: Any, path: str = "") -> None:
    """Refuse field names no MongoDB wire server stores reliably ("." inside, "$" first)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str) or "." in key or key.startswith("$") or "\x00" in key:
                raise InvalidInput(
                    f"{where!r} is not a valid name here ('.' and a leading '$' are not allowed)",
                    field=path or str(key),
                )
            check_keys(item, where)
    elif isinstance(value, list | tuple):
        for item in value:
            check_keys(item, path)


class EventStore:
    """Append and load event streams in the ``event_commits`` collection of a service database."""

    def __init__(
        self,
        db: AsyncDatabase,
        *,
        source: str,
        collection: str = "event_commits",
        storage: StorageProfile | None = None,
    ) -> None:
        self.collection: AsyncCollection = db[collection]
        self.source = source
        self.storage = storage or StorageProfile()
        self._listeners: list[Callable[[list[dict[str, Any]]], None]] = []

    async def ensure_indexes(self) -> None:
        # ``_id`` (stream@first) is the concurrency guard; replays and the sweep read in
        # recorded order
        await self.collection.create_index(RECORDED_ORDER, name="recorded_order")

    def on_append(self, listener: Callable[[list[dict[str, Any]]], None]) -> None:
        """Register a callable given the stored commits after every successful append."""
        self._listeners.append(listener)

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        tenant_id: str,
        messages: Sequence[Publish] = (),
    ) -> list[StoredEvent]:
        """Append ``events`` (and ``messages`` for Kafka) after ``expected_version`` as one
        commit; 0 starts a new stream. All of it is written, or nothing."""
        if not events:
            return []
        doc = self._commit(stream_id, expected_version, events, messages, tenant_id)
        try:
            await retry_transient(lambda: self.collection.insert_one(self._stored(doc)))
        except DuplicateKeyError as exc:
            raise ConcurrencyError(
                f"stream {stream_id} is no longer at version {expected_version}; reload and retry",
                expected_version=expected_version,
            ) from exc
        self._appended([doc])
        return events_of(doc)

    async def append_new_streams(
        self,
        batch: Sequence[
            tuple[str, Sequence[NewEvent]] | tuple[str, Sequence[NewEvent], Sequence[Publish]]
        ],
        *,
        tenant_id: str,
    ) -> set[str]:
        """Start many new streams in one round trip (bulk imports), one commit each, with
        optional messages; returns the ones that already existed (nothing of theirs is
        written)."""
        docs = [
            self._commit(item[0], 0, item[1], item[2] if len(item) > 2 else (), tenant_id)
            for item in batch
            if item[1]
        ]
        if not docs:
            return set()
        failed: set[str] = set()
        try:
            stored = [self._stored(d) for d in docs]
            await retry_transient(lambda: self.collection.insert_many(stored, ordered=False))
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            failed = {docs[e["index"]]["stream_id"] for e in errors}
        self._appended([d for d in docs if d["stream_id"] not in failed])
        return failed

    def _stored(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The commit as written: its lists packed where the storage profile packs blobs
        (FerretDB converts nested documents field by field; a commit is read whole)."""
        if not self.storage.packed:
            return doc
        packed = {**doc, "events": self.storage.pack(doc["events"])}
        if "outbox" in doc:
            packed["outbox"] = self.storage.pack(doc["outbox"])
        return packed

    def _appended(self, docs: list[dict[str, Any]]) -> None:
        for listener in self._listeners:
            listener(docs)

    def _commit(
        self,
        stream_id: str,
        after_version: int,
        events: Sequence[NewEvent],
        messages: Sequence[Publish],
        tenant_id: str,
    ) -> dict[str, Any]:
        """The stored form of one commit: ``events`` at the versions after ``after_version``."""
        traceparent, tracestate = current_traceparent()
        now = datetime.now(UTC)
        items: list[dict[str, Any]] = []
        outbox: list[dict[str, Any]] = []
        for event in events:
            data = dict(event.data)
            check_keys(data)
            event_id = str(uuid.uuid4())
            items.append(
                {"id": event_id, "type": event.type, "v": event.schema_version, "data": data}
            )
            if event.publish is not None:
                outbox.append(
                    self._message(event_id, tenant_id, now, event.publish, traceparent, tracestate)
                )
        for publish in messages:
            outbox.append(
                self._message(str(uuid.uuid4()), tenant_id, now, publish, traceparent, tracestate)
            )
        first = after_version + 1
        doc: dict[str, Any] = {
            "_id": commit_id(stream_id, first),
            "stream_id": stream_id,
            "first": first,
            "last": after_version + len(items),
            "tenant_id": tenant_id,
            "recorded_at": now,
            "traceparent": traceparent,
            "events": items,
        }
        if outbox:
            doc["outbox"] = outbox
        return doc

    def _message(
        self,
        message_id: str,
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
                "id": message_id,
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

    async def load(
        self, stream_id: str, *, after_version: int = 0, at_commit_end: bool = False
    ) -> list[StoredEvent]:
        """The stream's events after ``after_version``, walking its commits by ``_id``.

        Each step is a point read (the only lookup FerretDB pushes down to its storage),
        and after a snapshot there is usually nothing or one commit to read. A caller that
        knows ``after_version`` ends a commit (a snapshot's version always does) says
        ``at_commit_end``; otherwise a version inside a commit is found by a range query.
        """
        events: list[StoredEvent] = []
        version = after_version
        while True:
            doc = await retry_transient(
                lambda v=version: self.collection.find_one({"_id": commit_id(stream_id, v + 1)})  # type: ignore[misc]
            )
            if doc is None:
                if version == after_version and after_version > 0 and not at_commit_end:
                    # ``after_version`` fell inside a commit (not a commit boundary)
                    return await self._load_by_range(stream_id, after_version)
                return events
            events += events_of(doc)
            version = doc["last"]

    async def moved_past(self, stream_id: str, version: int) -> bool:
        """Whether the stream has a commit after ``version`` (a commit boundary): one point
        read, for a projector that must know it projected the stream's latest state."""
        doc = await retry_transient(
            lambda: self.collection.find_one({"_id": commit_id(stream_id, version + 1)}, {"_id": 1})
        )
        return doc is not None

    async def _load_by_range(self, stream_id: str, after_version: int) -> list[StoredEvent]:
        cursor = self.collection.find({"stream_id": stream_id, "last": {"$gt": after_version}})
        events = [e for d in await cursor.to_list() for e in events_of(d)]
        return sorted((e for e in events if e.version > after_version), key=lambda e: e.version)

    async def all_events(self, *, batch_size: int = 1000) -> AsyncIterator[StoredEvent]:
        """Every event in recorded order (stream order within a stream): for replays."""
        cursor = self.collection.find({}, batch_size=batch_size).sort(RECORDED_ORDER)
        async for doc in cursor:
            for event in events_of(doc):
                yield event

    async def stream_heads(
        self, *, since: datetime | None = None
    ) -> AsyncIterator[tuple[str, int, datetime]]:
        """``(stream_id, last version, recorded_at)`` of every commit since ``since``, in
        recorded order: how a tailing projector finds the streams that moved."""
        query: dict[str, Any] = {} if since is None else {"recorded_at": {"$gte": since}}
        projection = {"stream_id": 1, "last": 1, "recorded_at": 1}
        async for doc in self.collection.find(query, projection).sort("recorded_at", ASCENDING):
            yield doc["stream_id"], doc["last"], doc["recorded_at"]

    async def redact(
        self,
        stream_id: str,
        *,
        event: Callable[[StoredEvent], Mapping[str, Any] | None],
        message: Callable[[dict[str, Any]], dict[str, Any] | None] = lambda m: None,
    ) -> int:
        """Erasure: rewrite the personal content of a stream's stored events and messages.

        ``event`` returns the replacement data of an event (``None``: keep it);
        ``message`` returns the replacement of an unpublished-or-not outbox message. Types,
        versions and ids stay, so the stream and every projection stay consistent. Returns
        the number of commits rewritten. The only write that changes a commit.
        """
        rewritten = 0
        cursor = self.collection.find({"stream_id": stream_id})
        for stored_doc in await cursor.to_list():
            doc = readable(stored_doc)
            changed = False
            for item, stored in zip(doc["events"], events_of(doc), strict=True):
                data = event(stored)
                if data is not None and dict(data) != item["data"]:
                    item["data"] = dict(data)
                    changed = True
            for index, entry in enumerate(doc.get("outbox", [])):
                replacement = message(entry)
                if replacement is not None and replacement != entry:
                    doc["outbox"][index] = replacement
                    changed = True
            if changed:
                await retry_transient(
                    lambda d=self._stored(doc): self.collection.replace_one({"_id": d["_id"]}, d)  # type: ignore[misc]
                )
                rewritten += 1
        return rewritten
