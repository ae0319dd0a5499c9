"""The service object bootstrap builds: every use case, and the queries the routes need."""

from __future__ import annotations

from dataclasses import dataclass

from chassis.auth import Principal
from chassis.errors import NotFound
from chassis.idempotency import IdempotencyStore
from scheduling.application.booking import (
    Booking,
    BookMeeting,
    CancelMeeting,
    ConfirmMeeting,
    RescheduleMeeting,
)
from scheduling.application.calendars import FindFreeSlots, PublishAvailability
from scheduling.application.context import calendar_id, meeting_stream
from scheduling.application.feeds import CalendarFeeds
from scheduling.application.mentorships import Mentorships
from scheduling.application.ports import Members
from scheduling.application.reminders import Reminders
from scheduling.application.sessions import AnswerInvitation, ScheduleSession
from scheduling.domain.calendar import Calendar
from scheduling.domain.meeting import Meeting

MAX_LISTED = 500


@dataclass(frozen=True)
class SchedulingService:
    booking: Booking
    members: Members
    publish_availability: PublishAvailability
    free_slots: FindFreeSlots
    book: BookMeeting
    reschedule: RescheduleMeeting
    cancel: CancelMeeting
    confirm: ConfirmMeeting
    schedule_session: ScheduleSession
    answer: AnswerInvitation
    mentorships: Mentorships
    feeds: CalendarFeeds
    reminders: Reminders
    idempotency: IdempotencyStore

    async def my_calendar(self, principal: Principal) -> Calendar:
        calendars = self.booking.context.calendars
        return await calendars.load(calendar_id(principal.tenant_id, principal.user_id))

    async def meeting(self, principal: Principal, meeting_id: str) -> Meeting:
        """A meeting its people read, and a room session any member of its program reads."""
        meeting = await self.booking.meetings.load(meeting_stream(meeting_id))
        if meeting.exists and meeting.tenant_id == principal.tenant_id:
            if meeting.is_member(principal.user_id):
                return meeting
            if meeting.kind == "room" and await self.members.roles(
                principal.tenant_id, meeting.program_id, principal.user_id
            ):
                return meeting
        raise NotFound(f"no meeting {meeting_id!r}", field="meeting_id")

    async def my_meetings(self, principal: Principal, start: int, end: int) -> list[Meeting]:
        found = await self.booking.context.index.of_member(
            principal.tenant_id, principal.user_id, start, end
        )
        return [m for m in found if m.is_member(principal.user_id)][:MAX_LISTED]
