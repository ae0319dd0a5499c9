"""The Kafka topics of the platform: names, keys, sizing, retention and payloads.

Topics are created by the platform from these specs (``kafka_config()``), never by
auto-create. Each topic carries one kind of fact; the record key is the aggregate id named
by ``key`` (a field of every payload on the topic, and the CloudEvents ``subject``), so
the order of events per aggregate holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from .events import (
    DocumentDeletedV1,
    DocumentSharedV1,
    DocumentUploadedV1,
    DocumentVersionAddedV1,
    EventPayload,
    ExchangeConsentedV1,
    ExchangeWithdrawnV1,
    KnowledgeEntryPublishedV1,
    KnowledgeEntryWithdrawnV1,
    LiveNoticeV1,
    MatchMadeV1,
    MeetingBookedV1,
    MeetingCancelledV1,
    MemberJoinedV1,
    MentorApplicationDecidedV1,
    MentorApplicationSubmittedV1,
    MentorPausedV1,
    MentorshipEndedV1,
    MentorshipRequestedV1,
    MentorshipRespondedV1,
    MessageDeletedV1,
    MessageEditedV1,
    MessageReadV1,
    MessageSentV1,
    ProfileChangedV1,
    ProgramChangedV1,
    all_payloads,
)
from .events.insights import (
    CheckInAnsweredV1,
    CheckInDueV1,
    GoalUpdatedV1,
    MentorshipAtRiskV1,
)
from .events.scheduling import MeetingReminderV1, MeetingRsvpV1

__all__ = [
    "ALL_TOPICS",
    "DEAD_LETTER_SUFFIX",
    "DEAD_LETTER_TOPICS",
    "DeadLetterHeaders",
    "TopicSpec",
    "dead_letter_spec",
    "dead_letter_topic",
    "topic",
    "topic_for",
    "topic_name",
]

HOUR_MS: Final = 60 * 60 * 1000
DAY_MS: Final = 24 * HOUR_MS
FOREVER: Final = -1
DEFAULT_PARTITIONS: Final = 3
DEFAULT_RETENTION_MS: Final = 7 * DAY_MS
DEAD_LETTER_SUFFIX: Final = ".dlq"

CleanupPolicy = Literal["delete", "compact", "compact,delete"]


@dataclass(frozen=True)
class TopicSpec:
    """One topic. ``key`` names the payload field whose value is the record key."""

    name: str
    key: str
    description: str
    payloads: tuple[type[EventPayload], ...]
    producer: str
    partitions: int = DEFAULT_PARTITIONS
    retention_ms: int = DEFAULT_RETENTION_MS
    cleanup_policy: CleanupPolicy = "delete"
    config: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def kafka_config(self) -> dict[str, str]:
        """Topic-level Kafka configuration to create the topic with."""
        return {
            "cleanup.policy": self.cleanup_policy,
            "retention.ms": str(self.retention_ms),
            **self.config,
        }

    def key_of(self, payload: EventPayload) -> str:
        """The record key (and CloudEvents ``subject``) of a payload on this topic."""
        return str(getattr(payload, self.key))


def _spec(
    payload: type[EventPayload],
    key: str,
    description: str,
    producer: str,
    *,
    partitions: int = DEFAULT_PARTITIONS,
    retention_ms: int = DEFAULT_RETENTION_MS,
    cleanup_policy: CleanupPolicy = "delete",
    config: Mapping[str, str] | None = None,
) -> TopicSpec:
    return TopicSpec(
        name=payload.TOPIC,
        key=key,
        description=description,
        payloads=(payload,),
        producer=producer,
        partitions=partitions,
        retention_ms=retention_ms,
        cleanup_policy=cleanup_policy,
        config=MappingProxyType(dict(config or {})),
    )


ALL_TOPICS: Final[tuple[TopicSpec, ...]] = (
    _spec(
        ProgramChangedV1,
        "program_id",
        "Full configuration of a program on every change. Compacted: the latest event per "
        "program is its current state, kept without time limit, so a new consumer rebuilds "
        "all programs from the start of the topic.",
        "profiles",
        retention_ms=FOREVER,
        cleanup_policy="compact",
    ),
    _spec(
        MemberJoinedV1,
        "member_id",
        "A person joined a program (notification; their state is on profile-changed).",
        "profiles",
    ),
    _spec(
        MentorApplicationSubmittedV1,
        "application_id",
        "A member applied to mentor in a program.",
        "profiles",
    ),
    _spec(
        MentorApplicationDecidedV1,
        "application_id",
        "An admin approved or rejected a mentor application.",
        "profiles",
    ),
    _spec(
        ProfileChangedV1,
        "member_id",
        "Whole matchable snapshot of a member's profile on every change, or an erasure "
        "tombstone. This is the source from which matching and search rebuild their "
        "projections, so it is compacted instead of expiring after 7 days: the latest "
        "state of every member stays, superseded states (including those of erased members) "
        "are compacted away within max.compaction.lag.ms.",
        "profiles",
        retention_ms=FOREVER,
        cleanup_policy="compact",
        config={"max.compaction.lag.ms": str(7 * DAY_MS)},
    ),
    _spec(
        MentorPausedV1,
        "member_id",
        "A mentor paused or resumed taking new mentees (by themselves, or automatically "
        "when their requests keep expiring).",
        "matching",
    ),
    _spec(
        MentorshipRequestedV1,
        "request_id",
        "A mentee asked a mentor for mentorship.",
        "matching",
    ),
    _spec(
        MentorshipRespondedV1,
        "request_id",
        "A mentor accepted, declined or asked for more information about a request.",
        "matching",
    ),
    _spec(
        MatchMadeV1,
        "match_id",
        "A mentorship (pair or group) started. Kept without time limit (ids only, low "
        "volume): services rebuild who may access a match's chat, files and meetings "
        "from it and mentorship-ended.",
        "matching",
        retention_ms=FOREVER,
    ),
    _spec(
        MentorshipEndedV1,
        "match_id",
        "A mentorship ended. Kept without time limit, like match-made.",
        "matching",
        retention_ms=FOREVER,
    ),
    _spec(
        MessageSentV1,
        "conversation_id",
        "A message was posted (metadata only, never the body). The high-volume topic.",
        "messaging",
        partitions=6,
    ),
    _spec(
        MessageEditedV1,
        "conversation_id",
        "A message's text was changed by its sender (metadata only, never the text).",
        "messaging",
    ),
    _spec(
        MessageDeletedV1,
        "conversation_id",
        "A message's content is gone (deleted, hidden by an admin, erased with its sender): "
        "consumers remove what they derived from it.",
        "messaging",
    ),
    _spec(
        MessageReadV1,
        "conversation_id",
        "A member read a conversation up to a message (read receipts, engagement).",
        "messaging",
    ),
    _spec(
        LiveNoticeV1,
        "conversation_id",
        "Internal to messaging: which members' feeds have something new, so every replica "
        "wakes its own sockets (ids only). Short-lived: read live, never replayed.",
        "messaging",
        retention_ms=HOUR_MS,
    ),
    _spec(
        DocumentSharedV1,
        "document_id",
        "A document or media file was shared with people or a match.",
        "documents",
    ),
    _spec(
        DocumentUploadedV1,
        "document_id",
        "A document was uploaded (ids, type and size; never its name or content).",
        "documents",
    ),
    _spec(
        DocumentVersionAddedV1,
        "document_id",
        "A document got a new version (a new upload or an old version restored).",
        "documents",
    ),
    _spec(
        DocumentDeletedV1,
        "document_id",
        "A document was deleted (soft: restorable) or purged (its content is gone).",
        "documents",
    ),
    _spec(
        MeetingBookedV1,
        "meeting_id",
        "A meeting was booked or rebooked (higher sequence).",
        "scheduling",
    ),
    _spec(
        MeetingCancelledV1,
        "meeting_id",
        "A booked meeting was cancelled.",
        "scheduling",
    ),
    _spec(
        MeetingReminderV1,
        "meeting_id",
        "A meeting starts soon (one per meeting, start time and reminder offset).",
        "scheduling",
    ),
    _spec(
        MeetingRsvpV1,
        "meeting_id",
        "An attendee answered a meeting's invitation.",
        "scheduling",
    ),
    _spec(
        ExchangeConsentedV1,
        "exchange_id",
        "Every author of a nominated question-and-answer exchange consented to share it: "
        "the one topic that carries what people wrote (for the knowledge service only), "
        "published once after the last consent, never on message-sent.",
        "messaging",
    ),
    _spec(
        ExchangeWithdrawnV1,
        "exchange_id",
        "An author withdrew consent to a shared exchange in messaging: it leaves the library.",
        "messaging",
    ),
    _spec(
        KnowledgeEntryPublishedV1,
        "entry_id",
        "An entry joined a program's knowledge library (metadata only, no text).",
        "knowledge",
    ),
    _spec(
        KnowledgeEntryWithdrawnV1,
        "entry_id",
        "An entry or its draft left the library (an author withdrew, consent was withdrawn "
        "in messaging, or a draft's author was erased).",
        "knowledge",
    ),
    _spec(
        GoalUpdatedV1,
        "match_id",
        "A mentorship's goal was set, changed, progressed or removed (its state, never its "
        "title). Kept without time limit: insights rebuilds goal completion from it.",
        "insights",
        retention_ms=FOREVER,
    ),
    _spec(
        CheckInAnsweredV1,
        "match_id",
        "A mentor or mentee answered a check-in (the score, never the comment). Kept without "
        "time limit: insights rebuilds check-in reports from it.",
        "insights",
        retention_ms=FOREVER,
    ),
    _spec(
        CheckInDueV1,
        "match_id",
        "A check-in of a mentorship is due: a reminder, published once per round.",
        "insights",
    ),
    _spec(
        MentorshipAtRiskV1,
        "match_id",
        "A mentorship went quiet for longer than its program allows, or its mentor stayed "
        "silent: a nudge, published once per quiet spell.",
        "insights",
    ),
)

DEAD_LETTER_RETENTION_MS: Final = 30 * DAY_MS


class DeadLetterHeaders:
    """Headers a consumer adds when it parks a record on ``<topic>.dlq``.

    The original record's headers (its ``ce_*`` envelope) are kept as they were.
    """

    ERROR: Final = "dlq-error"
    CONSUMER: Final = "dlq-consumer"
    ORIGINAL_TOPIC: Final = "dlq-original-topic"
    ORIGINAL_PARTITION: Final = "dlq-original-partition"
    ORIGINAL_OFFSET: Final = "dlq-original-offset"
    ATTEMPTS: Final = "dlq-attempts"
    FAILED_AT: Final = "dlq-failed-at"


def dead_letter_topic(name: str) -> str:
    """The dead-letter topic of ``name`` (prefixed or not): ``<name>.dlq``."""
    return name + DEAD_LETTER_SUFFIX


def dead_letter_spec(spec: TopicSpec) -> TopicSpec:
    """The dead-letter topic of a topic: same payloads and key, one partition, 30 days."""
    return TopicSpec(
        name=dead_letter_topic(spec.name),
        key=spec.key,
        description=f"Records of {spec.name} that a consumer could not process, with the "
        "error in dlq-* headers; kept 30 days for inspection and replay.",
        payloads=spec.payloads,
        producer="any consumer of " + spec.name,
        partitions=1,
        retention_ms=DEAD_LETTER_RETENTION_MS,
        cleanup_policy="delete",
    )


DEAD_LETTER_TOPICS: Final[tuple[TopicSpec, ...]] = tuple(dead_letter_spec(s) for s in ALL_TOPICS)

_BY_NAME: Final = {spec.name: spec for spec in (*ALL_TOPICS, *DEAD_LETTER_TOPICS)}
_LEGAL_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


def topic(name: str) -> TopicSpec:
    """The spec of a topic (or dead-letter topic) by its unprefixed name."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise LookupError(f"unknown topic {name!r}") from None


def topic_for(payload: EventPayload | type[EventPayload]) -> TopicSpec:
    """The topic that carries a payload (class or instance)."""
    return topic(payload.TOPIC)


def topic_name(spec_or_name: TopicSpec | str, prefix: str = "") -> str:
    """The physical topic name: ``prefix + name``. Tests isolate themselves with a prefix."""
    name = spec_or_name.name if isinstance(spec_or_name, TopicSpec) else spec_or_name
    physical = prefix + name
    if not _LEGAL_NAME.match(physical) or physical in {".", ".."}:
        raise ValueError(f"illegal Kafka topic name {physical!r}")
    return physical


def _check_registry() -> None:
    """Every payload is on exactly its declared topic, and has the topic's key field."""
    on_topics = {p for spec in ALL_TOPICS for p in spec.payloads}
    for payload in all_payloads():
        spec = _BY_NAME.get(payload.TOPIC)
        if spec is None or payload not in spec.payloads:
            raise RuntimeError(f"{payload.__name__}: topic {payload.TOPIC!r} does not list it")
        if spec.key not in payload.model_fields:
            raise RuntimeError(f"{payload.__name__} has no key field {spec.key!r}")
    if unregistered := on_topics - set(all_payloads()):
        raise RuntimeError(f"payloads on topics but not registered: {unregistered}")


_check_registry()
