"""Scheduling: meetings between mentors and mentees."""

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field, model_validator

from ._types import (
    MAX_PEOPLE,
    Code,
    Id,
    MatchMode,
    TimeZoneName,
    UserId,
)
from .base import EventPayload

__all__ = ["MeetingBookedV1", "MeetingCancelledV1", "MeetingReminderV1", "MeetingRsvpV1"]

IcalSequence = Annotated[int, Field(ge=0)]


class MeetingBookedV1(EventPayload):
    """A meeting was booked, or rebooked (same ``meeting_id``, higher ``sequence``).

    ``sequence`` follows iCalendar's SEQUENCE: keep the highest one per meeting. The
    video room link is a capability and is not published; attendees get it from the
    scheduling API or their invite.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.meeting.booked"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "meeting-booked"

    meeting_id: Id
    program_id: Id
    match_id: Id | None = None
    mode: MatchMode
    organizer_user_id: UserId
    attendee_user_ids: Annotated[list[UserId], Field(min_length=1, max_length=MAX_PEOPLE)]
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    timezone: TimeZoneName = Field(description="The organizer's time zone, for display.")
    has_video_room: bool = False
    sequence: IcalSequence = 0

    @model_validator(mode="after")
    def _ends_after_start(self) -> "MeetingBookedV1":
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class MeetingCancelledV1(EventPayload):
    """A booked meeting was cancelled.

    Known ``reason`` codes: ``organizer_cancelled``, ``attendee_cancelled``,
    ``mentorship_ended``, ``other``.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.meeting.cancelled"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "meeting-cancelled"

    meeting_id: Id
    program_id: Id
    match_id: Id | None = None
    cancelled_by_user_id: UserId
    attendee_user_ids: Annotated[list[UserId], Field(max_length=MAX_PEOPLE)]
    starts_at: AwareDatetime = Field(description="When the meeting was to start.")
    reason: Code | None = None
    sequence: IcalSequence = 0


class MeetingReminderV1(EventPayload):
    """A meeting starts in ``minutes_before`` minutes: tell its attendees.

    Emitted once per meeting, start time and reminder offset, whatever the number of
    scheduling replicas and restarts (a re-delivery has the same CloudEvent ``id``). A
    rescheduled meeting gets reminders for its new time.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.meeting.reminder"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "meeting-reminder"

    meeting_id: Id
    program_id: Id
    match_id: Id | None = None
    attendee_user_ids: Annotated[list[UserId], Field(min_length=1, max_length=MAX_PEOPLE)]
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    minutes_before: Annotated[int, Field(ge=0, le=60 * 24 * 14)]
    sequence: IcalSequence = 0


class MeetingRsvpV1(EventPayload):
    """An attendee answered a meeting's invitation (``yes``, ``no`` or ``maybe``)."""

    EVENT_TYPE: ClassVar[str] = "mentorship.meeting.rsvp"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "meeting-rsvp"

    meeting_id: Id
    program_id: Id
    user_id: UserId
    response: Literal["yes", "no", "maybe"]
    organizer_user_id: UserId
