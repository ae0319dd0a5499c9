"""Kafka consumers: every topic insights learns from, folded into the read model.

Registered through ``runtime.consumers.on`` (payload validated and tenant-checked against
the envelope, idempotent by event id, retried with backoff, then dead-lettered); the fold
is idempotent as well (:mod:`insights.domain.projection`), so a replay or a duplicate
changes nothing. The fact's time is the event's CloudEvents ``time``.
"""

from __future__ import annotations

from chassis.app import Runtime
from chassis.consumers import Consumed
from insights.application.projector import Projector
from insights.domain.projection import FOLDED, epoch
from mentorship_contracts.events import EventPayload

#: (payload, consumer name): one consumer group per topic
CONSUMERS: tuple[tuple[type[EventPayload], str], ...] = tuple(
    (payload, f"read-model.{payload.TOPIC}") for payload in FOLDED
)


def topics_and_names() -> list[tuple[str, str]]:
    return [(payload.TOPIC, name) for payload, name in CONSUMERS]


def register(runtime: Runtime, projector: Projector) -> None:
    for payload, name in CONSUMERS:

        async def on_event(event: Consumed[EventPayload]) -> None:
            await projector.project(event.payload, epoch(event.envelope.time))

        runtime.consumers.on(payload, name=name)(on_event)
