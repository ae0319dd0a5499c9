"""Builders of the platform's contract events for the insights tests, and a publisher that
sets the CloudEvents time (insights dates facts by it: a match made 40 days ago)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer

from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.events import (
    EventPayload,
    MatchMadeV1,
    MeetingBookedV1,
    MentorshipEndedV1,
    MentorshipRequestedV1,
    MentorshipRespondedV1,
    MessageSentV1,
    Participant,
    ProfileChangedV1,
    ProfileSnapshot,
    ProgramChangedV1,
)
from mentorship_contracts.factory import new_event
from mentorship_contracts.topics import topic_for

NOW = datetime.now(UTC).replace(microsecond=0)
ORG = "org-1"


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


class Publisher:
    """Publishes contract payloads on the run's prefixed topics, with a chosen time."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        self.prefix = prefix

    async def __aenter__(self) -> Publisher:
        await self.producer.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.producer.stop()

    async def send(self, payload: EventPayload, at: datetime | None = None) -> str:
        event = new_event(payload, source="/tests/insights", time=at or NOW)
        body, headers = to_kafka(event)
        key = topic_for(payload).key_of(payload)
        await self.producer.send_and_wait(
            self.prefix + payload.TOPIC, body, key=key.encode(), headers=list(headers)
        )
        return event.id


def person(user: str) -> Participant:
    return Participant(member_id=f"m-{user}", user_id=user)


def program(tenant: str, pid: str, version: int = 1) -> ProgramChangedV1:
    return ProgramChangedV1(
        tenant_id=tenant,
        program_id=pid,
        program_version=version,
        organization_id=ORG,
        name="Cloud mentoring",
        kind="informal",
        modes=["one_to_one"],
        requires_mentor_approval=True,
        default_capacity=3,
        request_response_hours=72,
        status="active",
    )


def profile(
    tenant: str, pid: str, user: str, roles: list[str], version: int = 1, approved: bool = False
) -> ProfileChangedV1:
    return ProfileChangedV1(
        tenant_id=tenant,
        program_id=pid,
        member_id=f"m-{user}",
        user_id=user,
        organization_id=ORG,
        profile_version=version,
        roles=roles,  # type: ignore[arg-type]
        mentor_approved=approved,
        snapshot=ProfileSnapshot(display_name=user.title()),
    )


def requested(tenant: str, pid: str, request_id: str, mentee: str, mentor: str) -> Any:
    return MentorshipRequestedV1(
        tenant_id=tenant,
        program_id=pid,
        request_id=request_id,
        mentee=person(mentee),
        mentor=person(mentor),
    )


def responded(
    tenant: str, pid: str, request_id: str, mentee: str, mentor: str, match_id: str | None
) -> Any:
    return MentorshipRespondedV1(
        tenant_id=tenant,
        program_id=pid,
        request_id=request_id,
        mentee=person(mentee),
        mentor=person(mentor),
        response="accepted" if match_id else "declined",
        reason=None if match_id else "at_capacity",
        match_id=match_id,
    )


def match(tenant: str, pid: str, match_id: str, mentor: str, mentee: str) -> MatchMadeV1:
    return MatchMadeV1(
        tenant_id=tenant,
        program_id=pid,
        match_id=match_id,
        mode="one_to_one",
        mentor=person(mentor),
        mentees=[person(mentee)],
        origin="request",
    )


def ended(tenant: str, pid: str, match_id: str, mentor: str, mentee: str, reason: str) -> Any:
    return MentorshipEndedV1(
        tenant_id=tenant,
        program_id=pid,
        match_id=match_id,
        mentor=person(mentor),
        mentees=[person(mentee)],
        reason=reason,
        ended_by="mentee",
    )


def message(
    tenant: str, pid: str, match_id: str, sender: str, to: str, at: datetime
) -> MessageSentV1:
    return MessageSentV1(
        tenant_id=tenant,
        program_id=pid,
        conversation_id=f"conv-{match_id}",
        message_id=f"msg-{uuid.uuid4().hex[:10]}",
        match_id=match_id,
        sender_user_id=sender,
        recipient_user_ids=[to],
        sent_at=at,
        length=42,
    )


def meeting(
    tenant: str, pid: str, match_id: str, organizer: str, attendee: str, starts: datetime
) -> MeetingBookedV1:
    return MeetingBookedV1(
        tenant_id=tenant,
        program_id=pid,
        meeting_id=f"meet-{uuid.uuid4().hex[:10]}",
        match_id=match_id,
        mode="one_to_one",
        organizer_user_id=organizer,
        attendee_user_ids=[attendee],
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="Europe/Paris",
    )
