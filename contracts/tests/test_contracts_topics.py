"""Topic registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentorship_contracts import (
    ALL_TOPICS,
    DEAD_LETTER_TOPICS,
    MatchMadeV1,
    TopicSpec,
    all_payloads,
    dead_letter_topic,
    topic,
    topic_for,
    topic_name,
)
from mentorship_contracts.topics import DAY_MS, DeadLetterHeaders

ARCHITECTURE_TOPICS = {
    "profile-changed",
    "match-made",
    "message-sent",
    "meeting-booked",
    "mentorship-requested",
    "mentorship-ended",
    "document-shared",
    "meeting-cancelled",
}


def test_topics_cover_the_architecture_and_every_payload() -> None:
    names = [spec.name for spec in ALL_TOPICS]
    assert len(names) == len(set(names))
    assert set(names) >= ARCHITECTURE_TOPICS
    assert {p for spec in ALL_TOPICS for p in spec.payloads} == set(all_payloads())
    for payload in all_payloads():
        assert payload in topic_for(payload).payloads


@pytest.mark.parametrize("spec", ALL_TOPICS, ids=lambda s: s.name)
def test_every_payload_carries_the_key(spec: TopicSpec) -> None:
    for payload in spec.payloads:
        field = payload.model_fields[spec.key]
        assert field.is_required(), f"{payload.__name__}.{spec.key} must be required"


def test_sizing_and_retention() -> None:
    for spec in ALL_TOPICS:
        expected = 6 if spec.name == "message-sent" else 3
        assert spec.partitions == expected
        assert spec.description
    assert topic("member-joined").retention_ms == 7 * DAY_MS
    assert topic("member-joined").kafka_config() == {
        "cleanup.policy": "delete",
        "retention.ms": str(7 * DAY_MS),
    }
    # profile-changed is the source for rebuilding matchable projections: it keeps the
    # latest snapshot per member (compaction) instead of expiring.
    profiles = topic("profile-changed")
    assert profiles.cleanup_policy == "compact"
    assert profiles.retention_ms == -1
    assert "rebuild" in profiles.description
    assert profiles.kafka_config()["max.compaction.lag.ms"] == str(7 * DAY_MS)


def test_key_of(match_made: MatchMadeV1) -> None:
    assert topic_for(match_made).key_of(match_made) == "match-1"


def test_dead_letter_convention() -> None:
    assert dead_letter_topic("profile-changed") == "profile-changed.dlq"
    assert dead_letter_topic("t-123.profile-changed") == "t-123.profile-changed.dlq"
    assert [s.name for s in DEAD_LETTER_TOPICS] == [f"{s.name}.dlq" for s in ALL_TOPICS]
    dlq = topic("match-made.dlq")
    assert dlq.payloads == topic("match-made").payloads
    assert dlq.partitions == 1
    assert DeadLetterHeaders.ERROR == "dlq-error"


def test_topic_name_prefix() -> None:
    spec = topic("match-made")
    assert topic_name(spec) == "match-made"
    assert topic_name(spec, prefix="test-4f2a.") == "test-4f2a.match-made"
    assert topic_name("match-made.dlq", prefix="t_") == "t_match-made.dlq"
    with pytest.raises(ValueError, match="illegal Kafka topic name"):
        topic_name(spec, prefix="bad prefix/")
    with pytest.raises(ValueError, match="illegal"):
        topic_name("x" * 250)


def test_unknown_topic() -> None:
    with pytest.raises(LookupError, match="unknown topic 'nope'"):
        topic("nope")


def test_readme_documents_every_topic() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for spec in ALL_TOPICS:
        (payload,) = spec.payloads
        row = f"| `{spec.name}` | `{payload.__name__}` | `{payload.EVENT_TYPE}` | `{spec.key}` |"
        assert row in readme, f"README topic table is missing or stale for {spec.name}"
