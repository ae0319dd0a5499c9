"""Outbox relay: publishes the integration events of the event store to Kafka.

Two paths lead an event to Kafka. The *fast path*: the event store hands every append's
documents to the relay of the same process, which publishes them at once, in append
order; every replica runs its own. The *sweep* publishes what no fast path did (events
of a crashed process, or whose publish failed): it reads the store in recorded order
from a *watermark*, skips what was published, and publishes the rest. A sweep runs when
the relay starts and after any failure (then the fast path waits until the sweep has
caught up, so a recovered relay does not overtake its own older events), and every
``sweep_seconds`` for events older than ``grace_seconds`` (younger ones are still in
some replica's fast path). A lease lets one replica sweep at a time.

What was published is recorded beside the events, not in them: one document per
published batch in ``<events>_published`` (the batch's event ids and time range). On
FerretDB's SQLite backend an update costs several times an insert and only ``_id``
filters are pushed down, so a mark written per event was the relay's main cost. The
sweep advances the watermark past what it checked (never closer than ``grace_seconds``
to now) and forgets batch records below it, so that collection stays small.

At-least-once by construction: a batch is recorded as published only after Kafka
acknowledged all of it (idempotent producer, ``acks=all``). A crash between the
acknowledgement and the record re-publishes those events with the same CloudEvent ids;
consumers drop the duplicates. With ``record_seconds`` the fast path records what it
published at most that often, in one document (on FerretDB every insert takes the
database's one write lock, and a record per published event was a write per request);
the window for such duplicates grows by that much, and a sweep first records what is
waiting, so it never re-publishes an acknowledged event of its own process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Histogram
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from chassis.eventstore import RECORDED_ORDER, EventStore, readable
from chassis.kafka import BROKEN_PRODUCER, renew_producer
from chassis.lease import Lease
from chassis.mongo import retry_transient
from chassis.telemetry import context_from_traceparent, current_traceparent
from mentorship_contracts.envelope import CloudEvent, to_kafka

log = logging.getLogger("chassis.outbox")
_tracer = trace.get_tracer("chassis.outbox")

RELAYED = Counter("outbox_events_published_total", "Events the relay published", ["topic"])
SWEPT = Counter("outbox_events_swept_total", "Events published by the sweep, not the fast path")
RELAY_LAG = Histogram(
    "outbox_append_to_publish_seconds",
    "Time from append to Kafka acknowledgement",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

#: A position in the store's recorded order: (recorded_at, stream_id, version).
Position = tuple[datetime, str, int]


def _position(doc: dict[str, Any]) -> Position:
    return (doc["recorded_at"], doc["stream_id"], doc["first"])


def _after(position: Position) -> dict[str, Any]:
    """Filter for documents strictly after ``position`` in recorded order."""
    at, stream, first = position
    return {
        "$or": [
            {"recorded_at": {"$gt": at}},
            {"recorded_at": at, "stream_id": {"$gt": stream}},
            {"recorded_at": at, "stream_id": stream, "first": {"$gt": first}},
        ]
    }


class PublishedLog:
    """Which events the relay has published: one small document per published batch."""

    def __init__(self, db: AsyncDatabase, collection: str) -> None:
        self.collection = db[collection]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("last", ASCENDING)], name="last")

    async def record(self, docs: list[dict[str, Any]]) -> None:
        times = [d["recorded_at"] for d in docs]
        batch = {
            "_id": str(uuid.uuid4()),
            "ids": [d["_id"] for d in docs],
            "first": min(times),
            "last": max(times),
            "at": datetime.now(UTC),
        }
        await retry_transient(lambda: self.collection.insert_one(batch))

    async def ids_since(self, since: datetime) -> set[str]:
        """Ids of published events among batches that reach ``since`` or later."""
        cursor = self.collection.find({"last": {"$gte": since}}, {"ids": 1})
        return {i async for batch in cursor for i in batch["ids"]}

    async def forget_before(self, before: datetime) -> None:
        await retry_transient(lambda: self.collection.delete_many({"last": {"$lt": before}}))


class OutboxRelay:
    def __init__(
        self,
        store: EventStore,
        broker: KafkaBroker,
        *,
        topic_prefix: str = "",
        batch_size: int = 500,
        idle_poll_seconds: float = 0.2,
        sweep_seconds: float = 30.0,
        grace_seconds: float = 10.0,
        lease_seconds: float = 10.0,
        record_seconds: float = 0.0,
    ) -> None:
        self.store = store
        self.broker = broker
        self.topic_prefix = topic_prefix
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self.sweep_seconds = sweep_seconds
        self.grace = timedelta(seconds=grace_seconds)
        self.lease_seconds = lease_seconds
        self.record_seconds = record_seconds
        self._unrecorded: list[dict[str, Any]] = []  # published, record not written yet
        self._record_due = 0.0
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        db = store.collection.database
        self.published = PublishedLog(db, f"{store.collection.name}_published")
        self._state = db["outbox_relay_state"]  # the sweep's watermark
        self.lease = Lease(db["outbox_relay_leases"], "sweep", self.owner, seconds=lease_seconds)
        self._fresh: list[dict[str, Any]] = []
        self._settled = False  # True once a sweep has published everything stored before
        self._next_sweep = 0.0
        self._wake = asyncio.Event()
        store.on_append(self.nudge)

    def nudge(self, docs: list[dict[str, Any]] | None = None) -> None:
        """Hand freshly appended documents to the relay and wake it (fast path)."""
        if docs:
            self._fresh.extend(d for d in docs if d.get("outbox"))
        self._wake.set()

    async def ensure_indexes(self) -> None:
        await self.published.ensure_indexes()

    # ------------------------------------------------------------------ the two paths

    async def publish_fresh(self) -> int:
        """Fast path: publish what this process appended since the last call."""
        docs, self._fresh = self._fresh[: self.batch_size], self._fresh[self.batch_size :]
        return await self._publish(docs, defer=self.record_seconds > 0)

    async def record_published(self) -> None:
        """Write the record of what the fast path published and has not recorded yet."""
        docs, self._unrecorded = self._unrecorded, []
        if docs:
            await self.published.record(docs)

    async def sweep(self, *, settle: bool = False) -> int | None:
        """Publish every stored event that no relay published; ``None`` without the lease.

        ``settle`` includes the youngest events too (start-up and recovery); otherwise
        events younger than the grace period are left to the fast paths.
        """
        if not await self._hold_lease():
            return None
        await self.record_published()  # so this process' own acknowledged events are skipped
        lease = await self._state.find_one({"_id": "watermark"}) or {}
        mark = lease.get("watermark")
        cursor: Position | None = tuple(mark) if mark else None
        now = datetime.now(UTC)
        before = now if settle else now - self.grace
        count = 0
        complete = False
        while True:
            query: dict[str, Any] = {"outbox": {"$exists": True}, "recorded_at": {"$lt": before}}
            if cursor is not None:
                query.update(_after(cursor))
            page = [
                readable(d)
                for d in await self.store.collection.find(query)
                .sort(RECORDED_ORDER)
                .limit(self.batch_size)
                .to_list()
            ]
            if page:
                done = await self.published.ids_since(page[0]["recorded_at"])
                todo = [d for d in page if d["_id"] not in done]
                swept = {d["_id"] for d in todo}
                # queued for the fast path as well: published here, don't publish twice
                self._fresh = [d for d in self._fresh if d["_id"] not in swept]
                count += await self._publish(todo)
                SWEPT.inc(len(todo))
                cursor = _position(page[-1])
            if len(page) < self.batch_size:
                complete = True
                break
            if not await self._hold_lease():  # a long sweep renews its lease per page
                break
        # Everything up to the cursor (up to ``before`` for a complete pass) is published.
        # The watermark stays a grace period behind now: a slow insert of another replica
        # may still land with an older recorded_at.
        floor: Position = (now - self.grace, "", 0)
        reached = floor if complete or cursor is None else min(cursor, floor)
        previous: Position | None = tuple(mark) if mark else None
        if (complete or cursor is not None) and (previous is None or reached > previous):
            await retry_transient(
                lambda: self._state.replace_one(
                    {"_id": "watermark"}, {"watermark": list(reached)}, upsert=True
                )
            )
            await self.published.forget_before(reached[0])
        return count

    async def backlog(self) -> int:
        """How many stored integration events are not published yet."""
        lease = await self._state.find_one({"_id": "watermark"}) or {}
        query: dict[str, Any] = {"outbox": {"$exists": True}}
        if lease.get("watermark"):
            query.update(_after(tuple(lease["watermark"])))
        commits = [readable(d) async for d in self.store.collection.find(query, {"outbox": 1})]
        if not commits:
            return 0
        done = {i async for b in self.published.collection.find({}, {"ids": 1}) for i in b["ids"]}
        return sum(len(c["outbox"]) for c in commits if c["_id"] not in done)

    # ------------------------------------------------------------------ publishing

    async def _publish(self, docs: list[dict[str, Any]], *, defer: bool = False) -> int:
        if not docs:
            return 0
        acks = [await self._send(message) for doc in docs for message in doc["outbox"]]
        await asyncio.gather(*acks)
        if defer:
            if not self._unrecorded:
                self._record_due = asyncio.get_running_loop().time() + self.record_seconds
            self._unrecorded.extend(docs)
            if len(self._unrecorded) >= self.batch_size:
                await self.record_published()
        else:
            await self.published.record(docs)
        now = datetime.now(UTC)
        for doc in docs:
            for message in doc["outbox"]:
                RELAYED.labels(message["topic"]).inc()
                RELAY_LAG.observe((now - doc["recorded_at"]).total_seconds())
        return len(acks)

    async def _send(self, outbox: dict[str, Any]) -> asyncio.Future[Any]:
        ce = dict(outbox["ce"])
        topic = self.topic_prefix + outbox["topic"]
        parent = context_from_traceparent(ce.get("traceparent"), ce.get("tracestate"))
        with _tracer.start_as_current_span(
            f"{outbox['topic']} publish",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topic,
                "messaging.message.id": ce["id"],
            },
        ):
            # The consumer becomes a child of this publish span (same trace).
            ce["traceparent"], ce["tracestate"] = current_traceparent()
            body, headers = to_kafka(CloudEvent(**ce, data=outbox["data"]))
            future: asyncio.Future[Any] = await self.broker.publish(
                body,
                topic,
                key=outbox["key"].encode(),
                headers={k: v.decode() for k, v in headers},
                no_confirm=True,
            )
        return future

    async def _hold_lease(self) -> bool:
        return await self.lease.hold()

    # ------------------------------------------------------------------ the loop

    async def run(self) -> None:
        """Relay until cancelled. Errors are logged and retried with backoff."""
        loop = asyncio.get_running_loop()
        await self.ensure_indexes()
        backoff = 0.1
        while True:
            try:
                self._wake.clear()  # before reading, so an append meanwhile re-wakes us
                if not self._settled:
                    self._fresh.clear()  # the settling sweep publishes them, in order
                    if await self.sweep(settle=True) is None:
                        await asyncio.sleep(self.lease_seconds / 2)
                        continue
                    self._settled = True
                    self._next_sweep = loop.time() + self.sweep_seconds
                published = await self.publish_fresh()
                if loop.time() >= self._next_sweep:
                    swept = await self.sweep()
                    self._next_sweep = loop.time() + self.sweep_seconds
                    published += swept or 0
                if self._unrecorded and loop.time() >= self._record_due:
                    await self.record_published()
                backoff = 0.1
                if self._fresh:
                    continue
                wait = self.idle_poll_seconds
                if self._unrecorded:
                    wait = max(0.0, min(wait, self._record_due - loop.time()))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):  # else re-published by the next start
                    await asyncio.wait_for(self.record_published(), 2.0)
                raise
            except Exception as exc:
                log.exception("outbox relay failed; retrying in %.1fs", backoff)
                # Whatever failed is still unpublished in the store; the settling sweep
                # republishes it in order before the fast path resumes.
                self._settled = False
                if isinstance(exc, BROKEN_PRODUCER):
                    try:
                        await renew_producer(self.broker)
                    except Exception:  # Kafka still away: the next failure tries again
                        log.exception("could not renew the Kafka producer")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
