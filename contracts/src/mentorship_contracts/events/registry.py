"""Registry of published payloads: look a model up by CloudEvents ``type`` and version."""

from pydantic import ValidationError

from ..envelope import CloudEvent
from .base import EventPayload
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
    ExchangeConsentedV1,
    ExchangeWithdrawnV1,
    KnowledgeEntryPublishedV1,
    KnowledgeEntryWithdrawnV1,
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
from .profiles import MentorPausedV1, ProfileChangedV1
from .programs import (
    MemberJoinedV1,
    MentorApplicationDecidedV1,
    MentorApplicationSubmittedV1,
    ProgramChangedV1,
)
from .scheduling import MeetingBookedV1, MeetingCancelledV1, MeetingReminderV1, MeetingRsvpV1

__all__ = [
    "InvalidPayload",
    "UnknownEventType",
    "all_payloads",
    "parse_payload",
    "payload_model",
]

# Every published payload class, every version. A class that is not listed here is not
# part of the contract (no snapshot, not in AsyncAPI, not parseable).
_PAYLOADS: tuple[type[EventPayload], ...] = (
    ProgramChangedV1,
    MemberJoinedV1,
    MentorApplicationSubmittedV1,
    MentorApplicationDecidedV1,
    ProfileChangedV1,
    MentorPausedV1,
    MentorshipRequestedV1,
    MentorshipRespondedV1,
    MatchMadeV1,
    MentorshipEndedV1,
    MessageSentV1,
    MessageEditedV1,
    MessageDeletedV1,
    MessageReadV1,
    LiveNoticeV1,
    DocumentSharedV1,
    DocumentUploadedV1,
    DocumentVersionAddedV1,
    DocumentDeletedV1,
    MeetingBookedV1,
    MeetingCancelledV1,
    MeetingReminderV1,
    MeetingRsvpV1,
    ExchangeConsentedV1,
    ExchangeWithdrawnV1,
    KnowledgeEntryPublishedV1,
    KnowledgeEntryWithdrawnV1,
    GoalUpdatedV1,
    CheckInAnsweredV1,
    CheckInDueV1,
    MentorshipAtRiskV1,
)


def _index(payloads: tuple[type[EventPayload], ...]) -> dict[tuple[str, int], type[EventPayload]]:
    index: dict[tuple[str, int], type[EventPayload]] = {}
    for model in payloads:
        key = (model.EVENT_TYPE, model.VERSION)
        if key in index:
            raise RuntimeError(f"{model.__name__} and {index[key].__name__} both declare {key}")
        index[key] = model
    return index


_BY_TYPE = _index(_PAYLOADS)


class UnknownEventType(LookupError):
    """No payload is registered for an event type and version."""


class InvalidPayload(ValueError):
    """An event's ``data`` does not match its declared type and version."""


def all_payloads() -> tuple[type[EventPayload], ...]:
    """Every published payload model (all topics, all versions)."""
    return _PAYLOADS


def payload_model(event_type: str, version: int) -> type[EventPayload]:
    """The payload model for a CloudEvents ``type`` and ``dataversion``."""
    try:
        return _BY_TYPE[(event_type, version)]
    except KeyError:
        known = sorted(v for t, v in _BY_TYPE if t == event_type)
        hint = f" (known versions: {known})" if known else ""
        raise UnknownEventType(
            f"no payload registered for type {event_type!r} version {version}{hint}"
        ) from None


def parse_payload(event: CloudEvent) -> EventPayload:
    """Validate ``event.data`` with the model its ``type`` and ``dataversion`` name.

    Also checks that the payload's tenant is the envelope's and that ``dataschema``, when
    present, is the one of that model. Raises :class:`UnknownEventType` for an event this
    version of the contracts does not know (a consumer usually skips those) and
    :class:`InvalidPayload` for bad data.
    """
    model = payload_model(event.type, event.dataversion)
    if event.dataschema is not None and event.dataschema != model.dataschema():
        raise InvalidPayload(
            f"{event.type} v{event.dataversion}: dataschema {event.dataschema!r} is not "
            f"{model.dataschema()!r}"
        )
    try:
        payload = model.model_validate(event.data)
    except ValidationError as exc:
        raise InvalidPayload(
            f"{event.type} v{event.dataversion} (event {event.id}): {exc}"
        ) from exc
    if payload.tenant_id != event.tenantid:
        raise InvalidPayload(
            f"event {event.id}: payload tenant_id {payload.tenant_id!r} differs from "
            f"envelope tenantid {event.tenantid!r}"
        )
    return payload
