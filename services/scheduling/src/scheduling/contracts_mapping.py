"""A meeting's state as the contract payloads other services read (pure).

What goes out: ids, times, who attends, the SEQUENCE; never the title, the agenda, a
reason's free text or the video link (attendees read those from this service's API).
A meeting is announced (``meeting-booked``) once it is booked for real: at once, or when
the mentor confirms it; a rescheduled meeting is announced again with a higher sequence.
"""

from __future__ import annotations

from chassis.eventstore import Publish
from mentorship_contracts.events.scheduling import (
    MeetingBookedV1,
    MeetingCancelledV1,
    MeetingReminderV1,
    MeetingRsvpV1,
)
from scheduling.domain.meeting import (
    Meeting,
    MeetingCancelled,
    MeetingConfirmed,
    MeetingRescheduled,
    MeetingScheduled,
    RsvpGiven,
)
from scheduling.domain.zones import instant

REASON_CODES = {"organizer_cancelled", "attendee_cancelled", "mentorship_ended", "other"}


def booked(meeting: Meeting) -> MeetingBookedV1:
    return MeetingBookedV1(
        tenant_id=meeting.tenant_id,
        meeting_id=meeting.meeting_id,
        program_id=meeting.program_id,
        match_id=meeting.match_id,
        mode="one_to_one" if meeting.kind == "one_to_one" else "group",
        organizer_user_id=meeting.organizer,
        attendee_user_ids=meeting.attendees,
        starts_at=instant(meeting.starts_at),
        ends_at=instant(meeting.ends_at),
        timezone=meeting.timezone,
        has_video_room=bool(meeting.video_url),
        sequence=meeting.sequence,
    )


def cancelled(meeting: Meeting, by: str, reason: str) -> MeetingCancelledV1:
    return MeetingCancelledV1(
        tenant_id=meeting.tenant_id,
        meeting_id=meeting.meeting_id,
        program_id=meeting.program_id,
        match_id=meeting.match_id,
        cancelled_by_user_id=by,
        attendee_user_ids=meeting.attendees,
        starts_at=instant(meeting.starts_at),
        reason=reason if reason in REASON_CODES else "other",
        sequence=meeting.sequence,
    )


def reminder(meeting: Meeting, minutes_before: int) -> MeetingReminderV1:
    return MeetingReminderV1(
        tenant_id=meeting.tenant_id,
        meeting_id=meeting.meeting_id,
        program_id=meeting.program_id,
        match_id=meeting.match_id,
        attendee_user_ids=meeting.attendees,
        starts_at=instant(meeting.starts_at),
        ends_at=instant(meeting.ends_at),
        minutes_before=minutes_before,
        sequence=meeting.sequence,
    )


def published(meeting: Meeting, was_confirmed: bool) -> list[Publish]:
    """The messages of the meeting's pending events (``was_confirmed``: its state before
    them; only a meeting that was announced is announced as cancelled)."""
    out: list[Publish] = []
    announced = was_confirmed
    for event in meeting.pending_events:
        if isinstance(event, MeetingScheduled | MeetingConfirmed | MeetingRescheduled):
            if meeting.status == "confirmed":
                out.append(Publish(booked(meeting)))
                announced = True
        elif isinstance(event, MeetingCancelled) and announced:
            out.append(Publish(cancelled(meeting, event.by, event.reason)))
        elif isinstance(event, RsvpGiven):
            out.append(
                Publish(
                    MeetingRsvpV1(
                        tenant_id=meeting.tenant_id,
                        meeting_id=meeting.meeting_id,
                        program_id=meeting.program_id,
                        user_id=event.user_id,
                        response=event.response,
                        organizer_user_id=meeting.organizer,
                    )
                )
            )
    return out
