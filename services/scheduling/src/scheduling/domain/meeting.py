"""A meeting: a one-to-one booking of a matched pair, or a group session with a capacity.

The aggregate keeps who is in it, when, its status and the claims it holds (see
:mod:`scheduling.domain.claims`); the use cases take the claims before recording an event
that relies on them, so the event store never holds a meeting without its time.
``sequence`` is iCalendar's SEQUENCE: every change an invite must show increments it.
"""

from __future__ import annotations

from typing import Any, Literal

from chassis.domain import Aggregate, DomainEvent, applies
from chassis.errors import Conflict, Forbidden

Kind = Literal["one_to_one", "group", "room"]
Status = Literal["pending", "confirmed", "cancelled"]
Response = Literal["yes", "no", "maybe"]


class MeetingScheduled(DomainEvent):
    TYPE = "MeetingScheduled"
    tenant_id: str
    kind: Kind
    program_id: str
    match_id: str | None = None
    group_id: str | None = None
    organizer: str
    invited: list[str]
    booked_by: str
    starts_at: int
    ends_at: int
    timezone: str
    title: str
    agenda: str = ""
    status: Status
    capacity: int | None = None
    video_url: str
    held: list[str]


class MeetingConfirmed(DomainEvent):
    TYPE = "MeetingConfirmed"
    by: str


class MeetingRescheduled(DomainEvent):
    TYPE = "MeetingRescheduled"
    by: str
    starts_at: int
    ends_at: int
    reason: str
    note: str = ""
    held: list[str]


class MeetingCancelled(DomainEvent):
    TYPE = "MeetingCancelled"
    by: str
    reason: str
    note: str = ""


class RsvpGiven(DomainEvent):
    TYPE = "RsvpGiven"
    user_id: str
    response: Response
    seat: str | None = None


class AttendeeLeft(DomainEvent):
    TYPE = "AttendeeLeft"
    user_id: str


class Meeting(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.kind: str = "one_to_one"
        self.program_id = ""
        self.match_id: str | None = None
        self.group_id: str | None = None
        self.organizer = ""
        self.invited: list[str] = []
        self.booked_by = ""
        self.starts_at = 0
        self.ends_at = 0
        self.timezone = "UTC"
        self.title = ""
        self.agenda = ""
        self.status: str = "pending"
        self.capacity: int | None = None
        self.video_url = ""
        self.held: list[str] = []
        self.rsvps: dict[str, str] = {}
        self.seats: dict[str, str] = {}
        self.sequence = 0
        self.last_reason: str | None = None
        self.last_note = ""

    @property
    def meeting_id(self) -> str:
        return self.stream_id.removeprefix("meeting-")

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def attendees(self) -> list[str]:
        """Everyone the meeting is for, organizer first; a room's: who said yes."""
        people = [self.organizer, *self.invited]
        people += [u for u in self.seats if u not in people]
        return [p for p in people if self.rsvps.get(p) != "no" or p == self.organizer]

    def is_member(self, user_id: str) -> bool:
        return user_id == self.organizer or user_id in self.invited or user_id in self.seats

    def _open(self, now: int) -> None:
        if self.status == "cancelled":
            raise Conflict("the meeting is cancelled")
        if self.ends_at <= now:
            raise Conflict("the meeting is over")

    # --- commands ------------------------------------------------------------------------

    def schedule(self, **fields: Any) -> None:
        if self.exists:
            raise Conflict("this meeting exists already")
        self.record(MeetingScheduled(**fields))

    def confirm(self, by: str, now: int) -> None:
        if by != self.organizer:
            raise Forbidden("only the mentor confirms a meeting")
        self._open(now)
        if self.status == "confirmed":
            raise Conflict("the meeting is confirmed already")
        self.record(MeetingConfirmed(by=by))

    def reschedule(
        self, by: str, start: int, end: int, reason: str, note: str, held: list[str], now: int
    ) -> None:
        self._changeable_by(by)
        self._open(now)
        self.record(
            MeetingRescheduled(
                by=by, starts_at=start, ends_at=end, reason=reason, note=note, held=held
            )
        )

    def cancel(self, by: str, reason: str, note: str, now: int) -> None:
        self._changeable_by(by)
        self._open(now)
        self.record(MeetingCancelled(by=by, reason=reason, note=note))

    def end_by_system(self, reason: str) -> None:
        """Cancel without the checks a person's request passes (a mentorship ended)."""
        if self.status != "cancelled":
            self.record(MeetingCancelled(by="system", reason=reason))

    def rsvp(self, user_id: str, response: Response, seat: str | None, now: int) -> None:
        self._open(now)
        if user_id == self.organizer:
            raise Conflict("the organizer attends their own meeting")
        self.record(RsvpGiven(user_id=user_id, response=response, seat=seat))

    def leave(self, user_id: str) -> None:
        if user_id in self.invited or user_id in self.seats or user_id in self.rsvps:
            self.record(AttendeeLeft(user_id=user_id))

    def _changeable_by(self, by: str) -> None:
        if by == self.organizer:
            return
        if self.kind == "one_to_one" and by in self.invited:
            return
        raise Forbidden("only the organizer changes a group session")

    # --- folding -------------------------------------------------------------------------

    @applies(MeetingScheduled)
    def _scheduled(self, e: MeetingScheduled) -> None:
        for name in (
            "tenant_id",
            "kind",
            "program_id",
            "match_id",
            "group_id",
            "organizer",
            "invited",
            "booked_by",
            "starts_at",
            "ends_at",
            "timezone",
            "title",
            "agenda",
            "status",
            "capacity",
            "video_url",
            "held",
        ):
            setattr(self, name, getattr(e, name))
        self.invited = list(e.invited)
        self.held = list(e.held)

    @applies(MeetingConfirmed)
    def _confirmed(self, e: MeetingConfirmed) -> None:
        self.status = "confirmed"

    @applies(MeetingRescheduled)
    def _rescheduled(self, e: MeetingRescheduled) -> None:
        self.starts_at, self.ends_at = e.starts_at, e.ends_at
        self.held = list(e.held)
        self.sequence += 1
        self.last_reason, self.last_note = e.reason, e.note

    @applies(MeetingCancelled)
    def _cancelled(self, e: MeetingCancelled) -> None:
        self.status = "cancelled"
        self.sequence += 1
        self.last_reason, self.last_note = e.reason, e.note

    @applies(RsvpGiven)
    def _rsvp(self, e: RsvpGiven) -> None:
        self.rsvps[e.user_id] = e.response
        if e.seat is not None:
            self.seats[e.user_id] = e.seat
        elif e.response == "no":
            self.seats.pop(e.user_id, None)

    @applies(AttendeeLeft)
    def _left(self, e: AttendeeLeft) -> None:
        self.invited = [u for u in self.invited if u != e.user_id]
        self.seats.pop(e.user_id, None)
        self.rsvps.pop(e.user_id, None)
