"""Appending the first events of many new streams in one round trip (bulk imports).

``EventStore.append`` costs one ``insert_many`` per stream. An import creates thousands
of *new* streams, and a new stream's first events can go in together with everybody
else's: one unordered ``insert_many`` for the whole batch, in the event store's own
document format (so the outbox relay publishes them like any other). The unique
``(stream_id, version)`` index still decides: a stream that already existed makes its
documents fail, and that member is reported as already there.

The document format and the relay hand-off come from the chassis
(``EventStore._outbox_entry``, ``EventStore._listeners``); a public
``EventStore.append_new_streams`` in the chassis would be the cleaner home for this.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import BulkWriteError

from chassis.eventstore import EventStore, NewEvent
from chassis.mongo import retry_transient
from chassis.telemetry import current_traceparent


async def append_new_streams(
    store: EventStore, batch: Sequence[tuple[str, Sequence[NewEvent]]], *, tenant_id: str
) -> set[str]:
    """Append each stream's events at versions 1..n; return the streams that failed."""
    traceparent, tracestate = current_traceparent()
    now = datetime.now(UTC)
    docs: list[dict[str, Any]] = []
    owners: list[str] = []
    for stream_id, events in batch:
        for version, event in enumerate(events, start=1):
            event_id = str(uuid.uuid4())
            doc: dict[str, Any] = {
                "_id": event_id,
                "stream_id": stream_id,
                "version": version,
                "type": event.type,
                "tenant_id": tenant_id,
                "data": dict(event.data),
                "recorded_at": now,
                "traceparent": traceparent,
            }
            if event.publish is not None:
                doc["outbox"] = store._outbox_entry(
                    event_id, tenant_id, now, event.publish, traceparent, tracestate
                )
            docs.append(doc)
            owners.append(stream_id)
    if not docs:
        return set()
    failed: set[str] = set()
    rejected: set[int] = set()
    try:
        # FerretDB writes a batch in one SQLite transaction: a failed try wrote nothing
        await retry_transient(lambda: store.collection.insert_many(docs, ordered=False))
    except BulkWriteError as exc:
        rejected = {e["index"] for e in exc.details.get("writeErrors", [])}
        failed = {owners[i] for i in rejected}
        # a stream that existed with fewer events may have taken some of ours: undo them
        strays = [d["_id"] for i, d in enumerate(docs) if owners[i] in failed and i not in rejected]
        if strays:
            await store.collection.delete_many({"_id": {"$in": strays}})
    stored = [d for i, d in enumerate(docs) if owners[i] not in failed]
    for listener in store._listeners:  # hand them to the relay's fast path, as append() does
        listener(stored)
    return failed
