"""Builders of contract events for tests, and a Kafka topic reader."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from chassis.app import Runtime
from chassis.eventstore import NewEvent, Publish
from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.events import EventPayload
from mentorship_contracts.events.profiles import ProfileChangedV1, ProfileSnapshot
from mentorship_contracts.factory import new_event
from mentorship_contracts.topics import TopicSpec, dead_letter_topic, topic


def profile_changed(
    tenant: str, member_id: str, version: int, *, bio: str = "", **snapshot: Any
) -> ProfileChangedV1:
    return ProfileChangedV1(
        tenant_id=tenant,
        program_id="prog-1",
        member_id=member_id,
        user_id=f"user-{member_id}",
        organization_id=tenant,
        profile_version=version,
        roles=["mentor"],
        mentor_approved=True,
        snapshot=ProfileSnapshot(display_name=f"Member {member_id}", bio=bio or None, **snapshot),
    )


def profile_event(tenant: str, member_id: str, version: int, **kw: Any) -> NewEvent:
    payload = profile_changed(tenant, member_id, version, **kw)
    return NewEvent(
        type="ProfileEdited",
        data={"member_id": member_id, "version": version},
        publish=Publish(payload=payload, key=member_id),
    )


async def read_topic(
    bootstrap: str, topic: str, *, expect: int, timeout: float = 60.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read a topic from the beginning until ``expect`` records arrived (or time runs out)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < expect and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()
    return records


async def eventually(check: Any, *, timeout: float = 30.0, interval: float = 0.1) -> Any:
    """Await ``check()`` until it returns something truthy; fail with its last value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met in {timeout}s (last value: {value!r})")
        await asyncio.sleep(interval)


async def publish_payload(
    runtime: Runtime,
    payload: EventPayload,
    key: str,
    *,
    times: int = 1,
    time: datetime | None = None,
) -> None:
    """Publish a contract payload as a CloudEvent on the runtime's (prefixed) topic;
    ``time`` is the envelope's (default: now), for consumers that order by it."""
    body, headers = to_kafka(new_event(payload, source="/tests", subject=key, time=time))
    for _ in range(times):
        await runtime.broker.publish(
            body,
            runtime.settings.topic(payload.TOPIC),
            key=key.encode(),
            headers={k: v.decode() for k, v in headers},
        )


#: What the matching service consumes and publishes.
MATCHING_CONSUMED_TOPICS = (
    "profile-changed",
    "program-changed",
    "mentor-application-submitted",
    "mentor-application-decided",
    "message-sent",
)
MATCHING_TOPICS = (
    *MATCHING_CONSUMED_TOPICS,
    "mentorship-requested",
    "mentorship-responded",
    "match-made",
    "mentorship-ended",
    "mentor-paused",
)


def matching_topics() -> tuple[TopicSpec, ...]:
    """The topics a matching service under test needs (its consumed ones' DLQs too)."""
    names = (*MATCHING_TOPICS, *(dead_letter_topic(n) for n in MATCHING_CONSUMED_TOPICS))
    return tuple(map(topic, names))
