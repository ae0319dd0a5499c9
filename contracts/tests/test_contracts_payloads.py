"""Payload models, their registry and their validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from mentorship_contracts import (
    EventPayload,
    InvalidPayload,
    MatchMadeV1,
    MeetingBookedV1,
    MessageSentV1,
    ProfileChangedV1,
    ProfileSnapshot,
    ProgramChangedV1,
    UnknownEventType,
    all_payloads,
    new_event,
    parse_payload,
    payload_model,
)
from mentorship_contracts import events as events_package
from mentorship_contracts.events.base import dataschema_for

EXPECTED = {
    "ProgramChangedV1": ("program-changed", "mentorship.program.changed"),
    "MemberJoinedV1": ("member-joined", "mentorship.member.joined"),
    "MentorApplicationSubmittedV1": (
        "mentor-application-submitted",
        "mentorship.mentor_application.submitted",
    ),
    "MentorApplicationDecidedV1": (
        "mentor-application-decided",
        "mentorship.mentor_application.decided",
    ),
    "ProfileChangedV1": ("profile-changed", "mentorship.profile.changed"),
    "MentorPausedV1": ("mentor-paused", "mentorship.mentor.paused"),
    "MentorshipRequestedV1": ("mentorship-requested", "mentorship.request.submitted"),
    "MentorshipRespondedV1": ("mentorship-responded", "mentorship.request.responded"),
    "MatchMadeV1": ("match-made", "mentorship.match.made"),
    "MentorshipEndedV1": ("mentorship-ended", "mentorship.match.ended"),
    "MessageSentV1": ("message-sent", "mentorship.message.sent"),
    "MessageEditedV1": ("message-edited", "mentorship.message.edited"),
    "MessageDeletedV1": ("message-deleted", "mentorship.message.deleted"),
    "MessageReadV1": ("message-read", "mentorship.message.read"),
    "LiveNoticeV1": ("messaging-live", "mentorship.messaging.live_notice"),
    "DocumentSharedV1": ("document-shared", "mentorship.document.shared"),
    "DocumentUploadedV1": ("document-uploaded", "mentorship.document.uploaded"),
    "DocumentVersionAddedV1": ("document-version-added", "mentorship.document.version_added"),
    "DocumentDeletedV1": ("document-deleted", "mentorship.document.deleted"),
    "MeetingBookedV1": ("meeting-booked", "mentorship.meeting.booked"),
    "MeetingCancelledV1": ("meeting-cancelled", "mentorship.meeting.cancelled"),
    "MeetingReminderV1": ("meeting-reminder", "mentorship.meeting.reminder"),
    "MeetingRsvpV1": ("meeting-rsvp", "mentorship.meeting.rsvp"),
    "ExchangeConsentedV1": ("exchange-consented", "mentorship.exchange.consented"),
    "ExchangeWithdrawnV1": ("exchange-withdrawn", "mentorship.exchange.withdrawn"),
    "KnowledgeEntryPublishedV1": (
        "knowledge-entry-published",
        "mentorship.knowledge_entry.published",
    ),
    "KnowledgeEntryWithdrawnV1": (
        "knowledge-entry-withdrawn",
        "mentorship.knowledge_entry.withdrawn",
    ),
    "GoalUpdatedV1": ("goal-updated", "mentorship.goal.updated"),
    "CheckInAnsweredV1": ("check-in-answered", "mentorship.check_in.answered"),
    "CheckInDueV1": ("check-in-due", "mentorship.check_in.due"),
    "MentorshipAtRiskV1": ("mentorship-at-risk", "mentorship.mentorship.at_risk"),
}


def test_registry_holds_the_published_payloads() -> None:
    assert {p.__name__: (p.TOPIC, p.EVENT_TYPE) for p in all_payloads()} == EXPECTED
    for payload in all_payloads():
        assert payload_model(payload.EVENT_TYPE, payload.VERSION) is payload
        assert payload.dataschema() == f"urn:mentorship:event:{payload.TOPIC}:v{payload.VERSION}"


def test_every_payload_class_in_the_package_is_registered() -> None:
    defined = {
        obj
        for obj in vars(events_package).values()
        if isinstance(obj, type) and issubclass(obj, EventPayload) and obj is not EventPayload
    }
    assert defined == set(all_payloads())


@pytest.mark.parametrize("payload", all_payloads(), ids=lambda p: p.__name__)
def test_payload_contract_shape(payload: type[EventPayload]) -> None:
    assert "tenant_id" in payload.model_fields
    assert payload.model_config.get("extra") == "ignore"
    assert payload.model_config.get("frozen") is True
    schema = payload.model_json_schema()
    assert schema["x-event-type"] == payload.EVENT_TYPE
    assert schema["x-dataschema"] == dataschema_for(payload.TOPIC, payload.VERSION)
    # The contract never depends on where the class lives.
    assert payload.__module__ not in payload.EVENT_TYPE
    assert payload.__name__ not in payload.EVENT_TYPE


@pytest.mark.parametrize("payload", all_payloads(), ids=lambda p: p.__name__)
def test_every_string_and_list_is_bounded(payload: type[EventPayload]) -> None:
    schema = payload.model_json_schema()
    defs = schema.get("$defs", {})
    unbounded: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                walk(defs[node["$ref"].rsplit("/", 1)[1]], path)
            kind = node.get("type")
            if kind == "string" and not {"maxLength", "enum", "const", "format"} & node.keys():
                unbounded.append(path)
            if kind == "array" and "maxItems" not in node:
                unbounded.append(path)
            if kind == "object" and "additionalProperties" in node and "maxProperties" not in node:
                unbounded.append(path)
            for key, value in node.items():
                if key not in ("$defs", "$ref"):
                    walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}/{index}")

    walk(schema, "#")
    assert unbounded == []


def test_old_consumers_ignore_added_fields(match_made: MatchMadeV1) -> None:
    data = {**match_made.model_dump(mode="json"), "field_from_the_future": {"x": 1}}
    assert MatchMadeV1.model_validate(data) == match_made


def test_payloads_are_frozen(match_made: MatchMadeV1) -> None:
    with pytest.raises(ValidationError, match="frozen"):
        match_made.match_id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        (ProfileSnapshot, "bio", 5000),
        (ProfileSnapshot, "display_name", 200),
        (ProfileSnapshot, "headline", 200),
    ],
)
def test_rejects_over_long_strings(model: type[BaseModel], field: str, limit: int) -> None:
    model.model_validate({"display_name": "Ada", field: "x" * limit})
    with pytest.raises(ValidationError, match="at most"):
        model.model_validate({"display_name": "Ada", field: "x" * (limit + 1)})


def test_rejects_over_long_ids_and_lists(profile_changed: ProfileChangedV1) -> None:
    data = profile_changed.model_dump(mode="json")
    with pytest.raises(ValidationError, match="tenant_id"):
        ProfileChangedV1.model_validate({**data, "tenant_id": "t" * 129})
    too_many_skills = {**data["snapshot"], "skills": [f"s{i}" for i in range(51)]}
    with pytest.raises(ValidationError, match="skills"):
        ProfileChangedV1.model_validate({**data, "snapshot": too_many_skills})
    long_skill = {**data["snapshot"], "skills": ["x" * 101]}
    with pytest.raises(ValidationError, match="skills"):
        ProfileChangedV1.model_validate({**data, "snapshot": long_skill})
    long_value = {**data["snapshot"], "custom_fields": {"k": "v" * 1001}}
    with pytest.raises(ValidationError, match="custom_fields"):
        ProfileChangedV1.model_validate({**data, "snapshot": long_value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Europe/Paris; DROP"),
        ("languages", ["english please"]),
    ],
)
def test_rejects_malformed_profile_fields(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        ProfileSnapshot.model_validate({"display_name": "Ada", field: value})


def test_erasure_tombstone(profile_changed: ProfileChangedV1) -> None:
    data = profile_changed.model_dump(mode="json")
    erased = ProfileChangedV1.model_validate({**data, "erased": True, "snapshot": None})
    assert erased.snapshot is None
    with pytest.raises(ValidationError, match="erased profile carries no snapshot"):
        ProfileChangedV1.model_validate({**data, "erased": True})
    with pytest.raises(ValidationError, match="snapshot is required"):
        ProfileChangedV1.model_validate({**data, "snapshot": None})


def test_one_to_one_match_has_one_mentee(match_made: MatchMadeV1) -> None:
    data = match_made.model_dump(mode="json")
    with pytest.raises(ValidationError, match="exactly one mentee"):
        MatchMadeV1.model_validate({**data, "mode": "one_to_one"})


def test_meeting_must_end_after_it_starts() -> None:
    start = datetime(2024, 5, 1, 10, tzinfo=UTC)
    base = {
        "tenant_id": "acme",
        "meeting_id": "mtg-1",
        "program_id": "prog-1",
        "mode": "one_to_one",
        "organizer_user_id": "u1",
        "attendee_user_ids": ["u2"],
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "timezone": "America/Toronto",
    }
    MeetingBookedV1.model_validate(base)
    with pytest.raises(ValidationError, match="after starts_at"):
        MeetingBookedV1.model_validate({**base, "ends_at": start})


def test_program_validation() -> None:
    base = {
        "tenant_id": "acme",
        "program_id": "prog-1",
        "program_version": 1,
        "organization_id": "org-1",
        "name": "Women in Tech 2025",
        "kind": "formal",
        "modes": ["one_to_one", "group"],
        "requires_mentor_approval": True,
        "default_capacity": 2,
        "matching_weights": {"skills": 3, "languages": 1, "custom:department": 0.5},
        "constraints": {"require_shared_language": True, "same_organization": "different"},
        "request_response_hours": 72,
        "status": "active",
    }
    program = ProgramChangedV1.model_validate(base)
    assert program.constraints.same_organization == "different"
    with pytest.raises(ValidationError, match="same_organization"):
        ProgramChangedV1.model_validate({**base, "constraints": {"same_organization": "nope"}})
    with pytest.raises(ValidationError, match="max_years is below min_years"):
        ProgramChangedV1.model_validate(
            {**base, "constraints": {"experience_gap": {"min_years": 5, "max_years": 2}}}
        )
    with pytest.raises(ValidationError, match="ends_on is before starts_on"):
        ProgramChangedV1.model_validate(
            {**base, "starts_on": "2025-02-01", "ends_on": "2025-01-01"}
        )


def test_message_sent_carries_no_body() -> None:
    assert not {"body", "text", "preview", "content"} & MessageSentV1.model_fields.keys()


def test_parse_payload_errors(match_made: MatchMadeV1) -> None:
    event = new_event(match_made, source="/matching")

    with pytest.raises(UnknownEventType, match="known versions: \\[1\\]"):
        parse_payload(event.model_copy(update={"dataversion": 9}))
    with pytest.raises(UnknownEventType, match="no payload registered"):
        parse_payload(event.model_copy(update={"type": "mentorship.unheard.of"}))
    with pytest.raises(InvalidPayload, match="tenant_id"):
        parse_payload(event.model_copy(update={"tenantid": "other-tenant"}))
    with pytest.raises(InvalidPayload, match="dataschema"):
        parse_payload(event.model_copy(update={"dataschema": "urn:mentorship:event:x:v1"}))
    broken = {**event.data, "mentees": []}
    with pytest.raises(InvalidPayload, match="mentees") as caught:
        parse_payload(event.model_copy(update={"data": broken}))
    assert isinstance(caught.value.__cause__, ValidationError)
