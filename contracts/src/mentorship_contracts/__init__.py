"""Published contracts of the mentorship platform: events, topics and their envelope.

Depends on pydantic only. ``asyncapi.build_asyncapi`` (FastStream) and the snapshot check
are development tools and are not imported here.
"""

from .envelope import CloudEvent, InvalidEnvelope, from_kafka, to_kafka
from .events import (
    DocumentSharedV1,
    EventPayload,
    InvalidPayload,
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
    MessageSentV1,
    Participant,
    ProfileChangedV1,
    ProfileSnapshot,
    ProgramChangedV1,
    UnknownEventType,
    all_payloads,
    parse_payload,
    payload_model,
)
from .factory import new_event
from .topics import (
    ALL_TOPICS,
    DEAD_LETTER_TOPICS,
    TopicSpec,
    dead_letter_topic,
    topic,
    topic_for,
    topic_name,
)

__all__ = [
    "ALL_TOPICS",
    "DEAD_LETTER_TOPICS",
    "CloudEvent",
    "DocumentSharedV1",
    "EventPayload",
    "InvalidEnvelope",
    "InvalidPayload",
    "MatchMadeV1",
    "MeetingBookedV1",
    "MeetingCancelledV1",
    "MemberJoinedV1",
    "MentorApplicationDecidedV1",
    "MentorApplicationSubmittedV1",
    "MentorPausedV1",
    "MentorshipEndedV1",
    "MentorshipRequestedV1",
    "MentorshipRespondedV1",
    "MessageSentV1",
    "Participant",
    "ProfileChangedV1",
    "ProfileSnapshot",
    "ProgramChangedV1",
    "TopicSpec",
    "UnknownEventType",
    "all_payloads",
    "dead_letter_topic",
    "from_kafka",
    "new_event",
    "parse_payload",
    "payload_model",
    "to_kafka",
    "topic",
    "topic_for",
    "topic_name",
]
