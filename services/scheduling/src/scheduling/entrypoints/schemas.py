"""Request and response bodies of the scheduling API (bounded, with the rules that need
no state: the rest is the domain's)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    NaiveDatetime,
    StringConstraints,
    model_validator,
)

from chassis.errors import InvalidInput
from scheduling.domain.availability import (
    MAX_EXCEPTIONS,
    MAX_HOLIDAYS,
    MAX_RULES,
    Availability,
    LocalRange,
    WeeklyRule,
    parse_clock,
    parse_end,
)
from scheduling.domain.meeting import Meeting
from scheduling.domain.zones import epoch, instant, strict_local, zone

Zone = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Clock = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
EndClock = Annotated[str, StringConstraints(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Agenda = Annotated[str, StringConstraints(max_length=5000)]
Note = Annotated[str, StringConstraints(max_length=1000)]
ReasonCode = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleIn(Body):
    weekdays: Annotated[list[Annotated[int, Field(ge=0, le=6)]], Field(min_length=1, max_length=7)]
    start: Clock = Field(description="Wall-clock time in your zone, HH:MM.")
    end: EndClock = Field(description="HH:MM, or 24:00 for midnight.")
    valid_from: date | None = None
    valid_until: date | None = None


class RangeIn(Body):
    start: NaiveDatetime = Field(description="Wall-clock time in your zone, no offset.")
    end: NaiveDatetime


class AvailabilityIn(Body):
    timezone: Zone = Field(description="Your IANA time zone, e.g. Europe/Paris.")
    rules: Annotated[list[RuleIn], Field(max_length=MAX_RULES)] = []
    extra: Annotated[list[RangeIn], Field(max_length=MAX_EXCEPTIONS)] = Field(
        default=[], description="One-off extra open times."
    )
    blocked: Annotated[list[RangeIn], Field(max_length=MAX_EXCEPTIONS)] = Field(
        default=[], description="One-off closed times (trips, appointments)."
    )
    holidays: Annotated[list[date], Field(max_length=MAX_HOLIDAYS)] = Field(
        default=[], description="Local days without any rule time."
    )
    buffer_minutes: int = Field(default=0, description="Free time kept around every meeting.")
    min_notice_minutes: int = 0
    max_per_day: int | None = None
    max_per_week: int | None = None
    requires_confirmation: bool = False

    def availability(self) -> Availability:
        return Availability(
            timezone=self.timezone,
            rules=tuple(
                WeeklyRule(
                    tuple(sorted(set(r.weekdays))),
                    parse_clock(r.start, "rules.start"),
                    parse_end(r.end),
                    r.valid_from,
                    r.valid_until,
                )
                for r in self.rules
            ),
            extra=tuple(LocalRange(r.start, r.end) for r in self.extra),
            blocked=tuple(LocalRange(r.start, r.end) for r in self.blocked),
            holidays=frozenset(self.holidays),
            buffer_minutes=self.buffer_minutes,
            min_notice_minutes=self.min_notice_minutes,
            max_per_day=self.max_per_day,
            max_per_week=self.max_per_week,
            requires_confirmation=self.requires_confirmation,
        )


class AvailabilityOut(AvailabilityIn):
    version: int


class Times(Body):
    """When: ``starts_at`` with its offset, or ``local_start`` in ``timezone``; and
    ``ends_at`` or ``duration_minutes``."""

    starts_at: AwareDatetime | None = None
    local_start: NaiveDatetime | None = None
    timezone: Zone | None = None
    ends_at: AwareDatetime | None = None
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)] | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if (self.starts_at is None) == (self.local_start is None):
            raise ValueError("give starts_at (with its offset) or local_start and timezone")
        if self.local_start is not None and self.timezone is None:
            raise ValueError("local_start needs a timezone")
        if (self.ends_at is None) == (self.duration_minutes is None):
            raise ValueError("give ends_at or duration_minutes")
        return self

    def span(self) -> tuple[int, int]:
        if self.local_start is not None:
            start = strict_local(self.local_start, zone(self.timezone or ""), field="local_start")
        else:
            assert self.starts_at is not None
            start = epoch(self.starts_at)
        if self.ends_at is not None:
            end = epoch(self.ends_at)
            if end <= start:
                raise InvalidInput("the meeting must end after it starts", field="ends_at")
            return start, end
        return start, start + (self.duration_minutes or 0) * 60


class BookIn(Times):
    title: Title
    agenda: Agenda = ""


class SessionIn(BookIn):
    capacity: Annotated[int, Field(ge=1, le=500)] | None = None


class RescheduleIn(Times):
    reason: ReasonCode = "other"
    note: Note = ""


class CancelIn(Body):
    reason: ReasonCode = "other"
    note: Note = ""


class RsvpIn(Body):
    response: Literal["yes", "no", "maybe"]


def _local(seconds: int, tz: str) -> datetime:
    return instant(seconds).astimezone(zone(tz))


class MeetingOut(BaseModel):
    """A meeting as one of its people sees it: times in UTC and in the viewer's zone; the
    video link only for its attendees."""

    meeting_id: str
    kind: str
    program_id: str
    match_id: str | None = None
    status: str
    organizer_user_id: str
    attendee_user_ids: list[str]
    invited_user_ids: list[str]
    starts_at: datetime
    ends_at: datetime
    local_start: datetime
    local_end: datetime
    viewer_timezone: str
    timezone: str = Field(description="The organizer's zone.")
    title: str
    agenda: str
    sequence: int
    version: int
    capacity: int | None = None
    seats_taken: int = 0
    rsvps: dict[str, str] = {}
    video_url: str | None = None
    last_reason: str | None = None
    last_note: str = ""

    @classmethod
    def of(cls, m: Meeting, viewer: str, tz: str | None) -> MeetingOut:
        shown = tz or m.timezone
        return cls(
            meeting_id=m.meeting_id,
            kind=m.kind,
            program_id=m.program_id,
            match_id=m.match_id,
            status=m.status,
            organizer_user_id=m.organizer,
            attendee_user_ids=m.attendees,
            invited_user_ids=m.invited,
            starts_at=instant(m.starts_at),
            ends_at=instant(m.ends_at),
            local_start=_local(m.starts_at, shown),
            local_end=_local(m.ends_at, shown),
            viewer_timezone=shown,
            timezone=m.timezone,
            title=m.title,
            agenda=m.agenda,
            sequence=m.sequence,
            version=m.version,
            capacity=m.capacity,
            seats_taken=len(m.seats),
            rsvps=m.rsvps,
            video_url=m.video_url or None if viewer in m.attendees else None,
            last_reason=m.last_reason,
            last_note=m.last_note,
        )


class SlotOut(BaseModel):
    starts_at: datetime
    ends_at: datetime
    local_start: datetime = Field(description="In the viewer's zone.")
    local_end: datetime
    mentor_local_start: datetime
    suits_both: bool = Field(description="Inside the mentee's published availability too.")


class SlotsOut(BaseModel):
    timezone: str
    mentor_timezone: str
    mentee_has_availability: bool
    slots: list[SlotOut]


class FeedOut(BaseModel):
    url: str = Field(description="Private: anyone with this URL reads your meetings.")
    webcal_url: str
