"""Outbox relay: publishes pending integration events from the event store to Kafka.

Two paths lead an event to Kafka. The *fast path*: the event store hands every append's
documents to the relay of the same process, which publishes them at once. The *sweep*:
every ``sweep_seconds`` (and at start) the relay queries the store for anything still
pending (events of a crashed process, of another replica, or whose publish failed).
Marking is per event by ``_id`` (a point write on MongoDB and on FerretDB alike).

At-least-once by construction: an event is marked ``sent`` only after Kafka acknowledged
it (idempotent producer, ``acks=all``). A crash between the acknowledgement and the mark
re-publishes the event later with the same CloudEvent id; consumers drop the duplicate.

Only one replica relays at a time (a lease document in the service database), so scaling a
service out does not multiply duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Histogram
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from chassis.eventstore import PENDING, SENT, EventStore
from chassis.mongo import retry_transient
from chassis.telemetry import context_from_traceparent, current_traceparent
from mentorship_contracts.envelope import CloudEvent, to_kafka

log = logging.getLogger("chassis.outbox")
_tracer = trace.get_tracer("chassis.outbox")

RELAYED = Counter("outbox_events_published_total", "Events the relay published", ["topic"])
RELAY_LAG = Histogram(
    "outbox_append_to_publish_seconds",
    "Time from append to Kafka acknowledgement",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class OutboxRelay:
    def __init__(
        self,
        store: EventStore,
        broker: KafkaBroker,
        *,
        topic_prefix: str = "",
        batch_size: int = 500,
        idle_poll_seconds: float = 0.2,
        sweep_seconds: float = 5.0,
        lease_seconds: float = 10.0,
    ) -> None:
        self.store = store
        self.broker = broker
        self.topic_prefix = topic_prefix
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self.sweep_seconds = sweep_seconds
        self._fresh: list[dict[str, Any]] = []
        self._next_sweep = 0.0
        self.lease_seconds = lease_seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = asyncio.Event()
        self._leases = store.collection.database["outbox_relay_lease"]
        self._lease_until: datetime | None = None
        store.on_append(self.nudge)

    def nudge(self, docs: list[dict[str, Any]] | None = None) -> None:
        """Hand freshly appended documents to the relay and wake it (fast path)."""
        if docs:
            self._fresh.extend(d for d in docs if d.get("outbox"))
        self._wake.set()

    async def _hold_lease(self) -> bool:
        now = datetime.now(UTC)
        if self._lease_until and now < self._lease_until - timedelta(
            seconds=self.lease_seconds / 2
        ):
            return True
        until = now + timedelta(seconds=self.lease_seconds)
        try:
            await self._leases.find_one_and_update(
                {"_id": "relay", "$or": [{"owner": self.owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "until": until}},
                upsert=True,
            )
        except DuplicateKeyError:  # another replica holds an unexpired lease
            self._lease_until = None
            return False
        self._lease_until = until
        return True

    async def publish_pending(self) -> int:
        """Sweep: publish one batch of pending events from the store, in stream order."""
        cursor = (
            self.store.collection.find({"outbox.state": PENDING})
            .sort([("recorded_at", ASCENDING), ("stream_id", ASCENDING), ("version", ASCENDING)])
            .limit(self.batch_size)
        )
        docs = await cursor.to_list()
        swept = {d["_id"] for d in docs}
        # Appended after the fast path last ran: published here, so don't publish them twice.
        self._fresh = [d for d in self._fresh if d["_id"] not in swept]
        return await self._publish(docs)

    async def publish_fresh(self) -> int:
        """Fast path: publish what this process appended since the last call."""
        docs, self._fresh = self._fresh[: self.batch_size], self._fresh[self.batch_size :]
        return await self._publish(docs)

    async def _publish(self, docs: list[dict[str, Any]]) -> int:
        if not docs:
            return 0
        acks = [await self._send(doc) for doc in docs]
        await asyncio.gather(*acks)
        now = datetime.now(UTC)
        for doc in docs:
            await retry_transient(
                lambda d=doc: self.store.collection.update_one(  # type: ignore[misc]
                    {"_id": d["_id"]}, {"$set": {"outbox.state": SENT, "outbox.sent_at": now}}
                )
            )
            RELAYED.labels(doc["outbox"]["topic"]).inc()
            RELAY_LAG.observe((now - doc["recorded_at"]).total_seconds())
        return len(docs)

    async def _send(self, doc: dict[str, Any]) -> asyncio.Future[Any]:
        outbox = doc["outbox"]
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

    async def run(self) -> None:
        """Relay until cancelled. Errors are logged and retried with backoff."""
        loop = asyncio.get_running_loop()
        backoff = 0.1
        while True:
            try:
                if not await self._hold_lease():
                    self._fresh.clear()  # the lease holder's sweep publishes them
                    await asyncio.sleep(self.lease_seconds / 2)
                    continue
                self._wake.clear()  # before reading, so an append meanwhile re-wakes us
                published = await self.publish_fresh()
                if loop.time() >= self._next_sweep:
                    swept = await self.publish_pending()
                    full = swept >= self.batch_size  # more may be waiting: sweep again now
                    self._next_sweep = loop.time() + (0.0 if full else self.sweep_seconds)
                    published += swept
                backoff = 0.1
                if self._fresh or published >= self.batch_size:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying in %.1fs", backoff)
                # Whatever failed is still pending in the store; the sweep republishes it in
                # stream order, so newer fast-path events must not overtake it.
                self._fresh.clear()
                self._next_sweep = 0.0
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
