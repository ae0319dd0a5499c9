"""The README's example: a stranger's consumer built on contracts + FastStream only."""

from __future__ import annotations

import importlib.util
import uuid

import pytest
from aiokafka import AIOKafkaProducer

from chassis.kafka import ensure_topics
from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.events import MatchMadeV1, MentorshipEndedV1, Participant
from mentorship_contracts.factory import new_event
from mentorship_contracts.topics import topic
from testkit.events import eventually
from testkit.infra import REPO, Infra


def _people(n: int) -> list[Participant]:
    return [Participant(member_id=f"mem-{i}", user_id=f"user-{i}") for i in range(n)]


async def test_example_consumer_counts_active_mentorships(
    infra: Infra, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"ext{uuid.uuid4().hex[:6]}."
    await ensure_topics(
        infra.kafka_bootstrap,
        prefix=prefix,
        topics=(topic("match-made"), topic("mentorship-ended")),
    )
    monkeypatch.setenv("TOPIC_PREFIX", prefix)
    monkeypatch.setenv("KAFKA_BOOTSTRAP", infra.kafka_bootstrap)
    spec = importlib.util.spec_from_file_location(
        "match_counter", REPO / "examples" / "match_counter.py"
    )
    assert spec and spec.loader
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)

    mentor, *mentees = _people(4)
    made = [
        MatchMadeV1(
            tenant_id="acme",
            match_id=f"match-{i}",
            program_id="p1",
            mode="one_to_one",
            mentor=mentor,
            mentees=[mentees[i]],
            origin="request",
        )
        for i in range(3)
    ]
    ended = MentorshipEndedV1(
        tenant_id="acme",
        match_id="match-1",
        program_id="p1",
        mentor=mentor,
        mentees=[mentees[1]],
        reason="goals_met",
        ended_by="mentee",
    )
    events = [new_event(p, source="/tests") for p in made]
    events.append(events[0])  # a duplicate delivery
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        for event in events:
            body, headers = to_kafka(event)
            await producer.send_and_wait(
                f"{prefix}match-made", body, key=(event.subject or "").encode(), headers=headers
            )
        body, headers = to_kafka(new_event(ended, source="/tests"))
        await producer.send_and_wait(
            f"{prefix}mentorship-ended", body, key=b"match-1", headers=headers
        )
    finally:
        await producer.stop()

    async with example.broker:
        await example.broker.start()
        await eventually(lambda: _settled(example), timeout=60)
    assert example.active == {"p1": {"match-0", "match-2"}}
    assert len(example.seen) == 4  # three matches and one ending, the duplicate ignored


async def _settled(example: object) -> bool:
    return len(example.seen) == 4  # type: ignore[attr-defined]
