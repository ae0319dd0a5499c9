"""Published payloads of the platform's integration events, and their registry."""

from .base import (
    ContractModel,
    EventPayload,
    Participant,
    dataschema_for,
)
from .documents import (
    DocumentDeletedV1,
    DocumentSharedV1,
    DocumentUploadedV1,
    DocumentVersionAddedV1,
)
from .insights import (
    CheckInAnsweredV1,
    CheckInDueV1,
    GoalUpdatedV1,
    MentorshipAtRiskV1,
)
from .knowledge import (
    AuthorConsent,
    ExchangeConsentedV1,
    ExchangeWithdrawnV1,
    KnowledgeEntryPublishedV1,
    KnowledgeEntryWithdrawnV1,
    QuotedMessage,
)
from .matching import (
    MatchMadeV1,
    MentorshipEndedV1,
    MentorshipRequestedV1,
    MentorshipRespondedV1,
)
from .messaging import (
    LiveNoticeV1,
    MessageDeletedV1,
    MessageEditedV1,
    MessageReadV1,
    MessageSentV1,
)
from .profiles import MentorPausedV1, ProfileChangedV1, ProfileSnapshot
from .programs import (
    ExperienceGap,
    MatchingConstraints,
    MemberJoinedV1,
    MentorApplicationDecidedV1,
    MentorApplicationSubmittedV1,
    ProgramChangedV1,
)
from .registry import (
    InvalidPayload,
    UnknownEventType,
    all_payloads,
    parse_payload,
    payload_model,
)
from .scheduling import MeetingBookedV1, MeetingCancelledV1, MeetingReminderV1, MeetingRsvpV1

__all__ = [
    "AuthorConsent",
    "CheckInAnsweredV1",
    "CheckInDueV1",
    "ContractModel",
    "DocumentDeletedV1",
    "DocumentSharedV1",
    "DocumentUploadedV1",
    "DocumentVersionAddedV1",
    "EventPayload",
    "ExchangeConsentedV1",
    "ExchangeWithdrawnV1",
    "ExperienceGap",
    "GoalUpdatedV1",
    "InvalidPayload",
    "KnowledgeEntryPublishedV1",
    "KnowledgeEntryWithdrawnV1",
    "LiveNoticeV1",
    "MatchMadeV1",
    "MatchingConstraints",
    "MeetingBookedV1",
    "MeetingCancelledV1",
    "MeetingReminderV1",
    "MeetingRsvpV1",
    "MemberJoinedV1",
    "MentorApplicationDecidedV1",
    "MentorApplicationSubmittedV1",
    "MentorPausedV1",
    "MentorshipAtRiskV1",
    "MentorshipEndedV1",
    "MentorshipRequestedV1",
    "MentorshipRespondedV1",
    "MessageDeletedV1",
    "MessageEditedV1",
    "MessageReadV1",
    "MessageSentV1",
    "Participant",
    "ProfileChangedV1",
    "ProfileSnapshot",
    "ProgramChangedV1",
    "QuotedMessage",
    "UnknownEventType",
    "all_payloads",
    "dataschema_for",
    "parse_payload",
    "payload_model",
]
