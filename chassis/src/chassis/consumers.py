"""Idempotent Kafka consumers with retry, backoff and a dead-letter topic.

Declare a consumer with :meth:`EventConsumers.subscribe`; the handler receives a validated
:class:`~mentorship_contracts.envelope.CloudEvent`. The wrapper guarantees:

* **idempotence**: an event id this consumer already processed is skipped (ids are kept in
  the ``processed_events`` collection after the effect is stored). Handlers whose effect is
  not naturally idempotent should also make it conditional on the source version (see
  ``chassis.projections.apply_if_newer``): that closes the crash window between effect and marker;
* **commit after effect**: records are consumed in batches (one poll) and the offsets are
  committed only after every handler and marker of the batch succeeded (FastStream
  ``AckPolicy.NACK_ON_ERROR``, auto-commit off; an error rewinds to the batch start);
* **retry with backoff**, then **dead-letter**: after the last attempt, or at once for a
  message that can never succeed (bad envelope, :class:`PermanentError`), the original
  record goes to ``<topic>.dlq`` with its headers plus ``dlq-*`` headers naming the error;
* **tracing**: the consumer span is a child of the producer's ``traceparent``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import Counter
from pydantic import ValidationError
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.failpoints import crash_if
from chassis.mongo import retry_transient
from chassis.settings import ServiceSettings
from chassis.telemetry import context_from_traceparent
from mentorship_contracts.envelope import CloudEvent, InvalidEnvelope, from_kafka
from mentorship_contracts.events.base import EventPayload
from mentorship_contracts.events.registry import InvalidPayload, UnknownEventType, parse_payload
from mentorship_contracts.topics import DeadLetterHeaders as DLQ
from mentorship_contracts.topics import dead_letter_topic

log = logging.getLogger("chassis.consumers")
_tracer = trace.get_tracer("chassis.consumers")

Handler = Callable[[CloudEvent], Awaitable[None]]
P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True)
class Consumed(Generic[P]):
    """An event handed to a typed consumer: the validated payload and its envelope."""

    payload: P
    envelope: CloudEvent

    @property
    def id(self) -> str:
        return self.envelope.id

    @property
    def tenant_id(self) -> str:
        return self.envelope.tenantid


def typed(model: type[P], event: CloudEvent) -> Consumed[P]:
    """Validate ``event`` as a ``model`` payload of the envelope's tenant, or raise
    :class:`PermanentError` (it can never succeed: dead-letter it with the reason)."""
    try:
        payload = parse_payload(event)
    except UnknownEventType as exc:
        raise PermanentError(f"not a {model.EVENT_TYPE} v{model.VERSION} event: {exc}") from exc
    except InvalidPayload as exc:
        raise PermanentError(f"not a valid {model.TOPIC} payload: {exc}") from exc
    if not isinstance(payload, model):
        raise PermanentError(
            f"{event.type} v{event.dataversion} is not {model.EVENT_TYPE} v{model.VERSION}"
        )
    return Consumed(payload, event)


CONSUMED = Counter("consumer_events_total", "Events seen by consumers", ["consumer", "outcome"])


class PermanentError(Exception):
    """Raised by a handler for an event that can never succeed: dead-letter it at once."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_delay: float = 0.1
    max_delay: float = 2.0

    def delays(self) -> list[float]:
        return [min(self.first_delay * 2**i, self.max_delay) for i in range(self.attempts - 1)]


class EventConsumers:
    """Registers this service's consumers on a FastStream broker."""

    def __init__(
        self,
        broker: KafkaBroker,
        db: AsyncDatabase,
        settings: ServiceSettings,
        *,
        batch_size: int = 200,
    ) -> None:
        self.broker = broker
        self.batch_size = batch_size
        self.settings = settings
        self.processed = db["processed_events"]
        self.names: list[str] = []
        self.topics: list[str] = []  # contract topic names this service consumes

    def on(
        self,
        model: type[P],
        *,
        name: str,
        retry: RetryPolicy = RetryPolicy(),
        start_from: Literal["earliest", "latest"] = "earliest",
    ) -> Callable[[Callable[[Consumed[P]], Awaitable[None]]], Callable[..., Awaitable[None]]]:
        """Decorator for a typed consumer of ``model``'s topic: the handler gets a
        :class:`Consumed` whose payload is validated and of the envelope's tenant; an event
        that is not (wrong type, bad data, another tenant in the payload) is dead-lettered
        with the reason and never reaches the handler."""

        def register(
            handler: Callable[[Consumed[P]], Awaitable[None]],
        ) -> Callable[..., Awaitable[None]]:
            async def untyped(event: CloudEvent) -> None:
                await handler(typed(model, event))

            self.subscribe(model.TOPIC, name=name, retry=retry, start_from=start_from)(untyped)
            return handler

        return register

    def subscribe(
        self,
        topic: str,
        *,
        name: str,
        retry: RetryPolicy = RetryPolicy(),
        start_from: Literal["earliest", "latest"] = "earliest",
    ) -> Callable[[Handler], Handler]:
        """Decorator: run ``handler`` once per event of ``topic`` for consumer ``name``.

        ``name`` is the consumer's identity: its group id and its idempotence scope. A new
        name starts a new group, which (with ``start_from="earliest"``) replays the topic
        from the beginning: that is how a new read model is built.
        """

        def register(handler: Handler) -> Handler:
            physical_topic = self.settings.topic(topic)
            group_id = self.settings.group(name)
            self.names.append(name)
            self.topics.append(topic)

            async def consume(message: KafkaMessage) -> None:
                raw = message.raw_message
                records = raw if isinstance(raw, tuple) else (raw,)
                await self._process_batch(name, physical_topic, records, handler, retry)

            self.broker.subscriber(
                physical_topic,
                group_id=group_id,
                batch=True,
                max_records=self.batch_size,
                # FastStream sleeps this long again after an empty poll: keep it short
                batch_timeout_ms=20,
                ack_policy=AckPolicy.NACK_ON_ERROR,
                auto_offset_reset=start_from,
                title=f"{self.settings.service_name}.{name}",
            )(consume)
            return handler

        return register

    async def _process_batch(
        self,
        name: str,
        topic: str,
        records: Sequence[ConsumerRecord[bytes, bytes]],
        handler: Handler,
        retry: RetryPolicy,
    ) -> None:
        """Handle a poll's worth of records; one offset commit afterwards.

        Records of one partition are handled in offset order; partitions are independent
        (a key always lands on the same partition), so they are handled concurrently.
        Each event's marker is written right after its own effect, so a crash re-runs at
        most one effect per partition (and a version-guarded effect not even that).
        """
        lanes: dict[int, list[tuple[ConsumerRecord[bytes, bytes], CloudEvent]]] = {}
        for record in records:
            try:
                event = from_kafka(record.value or b"", record.headers or [])
            except (InvalidEnvelope, ValidationError, ValueError) as exc:
                reason = f"invalid envelope: {exc}"
                await self._dead_letter(name, topic, record, reason, attempts=0)
                CONSUMED.labels(name, "dead_lettered").inc()
                continue
            lanes.setdefault(record.partition, []).append((record, event))
        # Which events this consumer already processed: point lookups by _id (indexed on
        # MongoDB, and the one filter FerretDB's SQLite backend pushes down, where an
        # ``$in`` would scan), all of the batch at once, before any effect.
        events = [event for lane in lanes.values() for _, event in lane]
        found = await asyncio.gather(
            *(self.processed.find_one({"_id": f"{name}:{e.id}"}, {"_id": 1}) for e in events)
        )
        seen = {e.id for e, marker in zip(events, found, strict=True) if marker is not None}
        results = await asyncio.gather(
            *(
                self._process_lane(name, topic, lane, handler, retry, seen)
                for lane in lanes.values()
            ),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):  # nack: the batch is delivered again
                raise result

    async def _process_lane(
        self,
        name: str,
        topic: str,
        lane: list[tuple[ConsumerRecord[bytes, bytes], CloudEvent]],
        handler: Handler,
        retry: RetryPolicy,
        seen: set[str],
    ) -> None:
        for record, event in lane:
            if event.id in seen:  # processed before, or earlier in this batch
                CONSUMED.labels(name, "duplicate").inc()
                continue
            seen.add(event.id)
            await self._process(name, topic, record, event, handler, retry)
            crash_if(f"consumer-after-effect:{name}")  # the redelivery window, for fault tests
            marker = {"_id": f"{name}:{event.id}", "consumer": name, "at": datetime.now(UTC)}
            try:
                await retry_transient(lambda m=marker: self.processed.insert_one(m))  # type: ignore[misc]
            except DuplicateKeyError:  # a concurrent redelivery finished first
                pass

    async def _process(
        self,
        name: str,
        topic: str,
        record: ConsumerRecord[bytes, bytes],
        event: CloudEvent,
        handler: Handler,
        retry: RetryPolicy,
    ) -> None:
        parent = context_from_traceparent(event.traceparent, event.tracestate)
        with _tracer.start_as_current_span(
            f"{topic} process",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topic,
                "messaging.consumer.group.name": self.settings.group(name),
                "messaging.message.id": event.id,
                "messaging.kafka.offset": record.offset,
            },
        ) as span:
            error = await self._run_with_retries(handler, event, retry)
            if error is None:
                CONSUMED.labels(name, "processed").inc()
                return
            span.set_status(Status(StatusCode.ERROR, str(error)))
            reason = f"{type(error).__name__}: {error}"
            await self._dead_letter(name, topic, record, reason, attempts=retry.attempts)
            CONSUMED.labels(name, "dead_lettered").inc()

    async def _run_with_retries(
        self, handler: Handler, event: CloudEvent, retry: RetryPolicy
    ) -> Exception | None:
        delays = retry.delays()
        for attempt in range(retry.attempts):
            try:
                await handler(event)
                return None
            except PermanentError as exc:
                return exc
            except Exception as exc:
                if attempt == retry.attempts - 1:
                    return exc
                log.warning(
                    "handler failed (attempt %d/%d), retrying: %s",
                    attempt + 1,
                    retry.attempts,
                    exc,
                )
                await asyncio.sleep(delays[attempt])
        return None  # pragma: no cover - loop always returns

    async def _dead_letter(
        self, name: str, topic: str, record: ConsumerRecord, reason: str, *, attempts: int
    ) -> None:
        """Park the original record on ``<topic>.dlq``; raising here keeps the offset."""
        headers: dict[str, Any] = {
            k: (v.decode(errors="replace") if isinstance(v, bytes) else str(v))
            for k, v in (record.headers or [])
        }
        headers.update(
            {
                DLQ.ERROR: reason[:2000],
                DLQ.CONSUMER: self.settings.group(name),
                DLQ.ORIGINAL_TOPIC: topic,
                DLQ.ORIGINAL_PARTITION: str(record.partition),
                DLQ.ORIGINAL_OFFSET: str(record.offset),
                DLQ.ATTEMPTS: str(attempts),
                DLQ.FAILED_AT: datetime.now(UTC).isoformat(),
            }
        )
        log.error("dead-lettering %s@%s/%s: %s", topic, record.partition, record.offset, reason)
        await self.broker.publish(
            record.value or b"", dead_letter_topic(topic), key=record.key, headers=headers
        )
