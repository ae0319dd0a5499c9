"""Group sessions (for a group mentorship or a program room) and answering invitations.

A session's capacity is held by seat claims: saying yes claims one free seat of
``capacity`` and a per-person claim (so one person never holds two seats); saying no
gives both back. Concurrent answers to one session also race for the meeting's next
version; the loser reloads and records again (its seat is already held).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.access import MENTOR, ORG_ADMIN, PROGRAM_ADMIN
from chassis.auth import Principal
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from chassis.eventstore import ConcurrencyError
from chassis.text import check_text
from scheduling.application.booking import Booking, session_time
from scheduling.application.context import meeting_stream
from scheduling.application.ports import Members, VideoRooms
from scheduling.domain.claims import ClaimPlan, attendee_key, session_pool
from scheduling.domain.meeting import Meeting, Response

MAX_CAPACITY = 500
RSVP_ATTEMPTS = 30


def seat_owner(meeting: Meeting, user: str) -> str:
    """Seats are owned per person: a retried yes finds its own seat instead of a second."""
    return f"{meeting.meeting_id}/{user}"


@dataclass(frozen=True)
class ScheduleSession:
    booking: Booking
    members: Members
    video: VideoRooms

    async def __call__(
        self,
        principal: Principal,
        *,
        match_id: str | None,
        program_id: str | None,
        start: int,
        end: int,
        title: str,
        agenda: str,
        capacity: int | None,
    ) -> Meeting:
        b = self.booking
        check_text(title, "title")
        check_text(agenda, "agenda")
        tenant, me = principal.tenant_id, principal.user_id
        invited: list[str] = []
        group_id = None
        if match_id is not None:
            pair = await b.context.mentorship(principal, match_id)
            if pair.mode != "group" or pair.mentor != me:
                raise Forbidden("only the mentor of a group mentorship schedules its sessions")
            program_id, invited, group_id = pair.program_id, list(pair.mentees), pair.group_id
            capacity = capacity or len(invited)
        elif program_id is not None:
            roles = await self.members.roles(tenant, program_id, me) or []
            if not (MENTOR in roles or PROGRAM_ADMIN in roles or principal.has_role(ORG_ADMIN)):
                raise Forbidden("only the program's mentors and admins schedule room sessions")
            if capacity is None:
                raise InvalidInput("a program room session needs a capacity", field="capacity")
        else:
            raise InvalidInput("name a group mentorship (match_id) or a program", field="match_id")
        if not 1 <= capacity <= MAX_CAPACITY:
            raise InvalidInput(f"the capacity is 1 to {MAX_CAPACITY}", field="capacity")
        meeting_id = uuid.uuid4().hex
        plan = await session_time(b.context, tenant, me, start, end, b.clock.now(), None)
        held = await b.take(plan, meeting_id)
        rules = await b.context.availability(tenant, me)
        meeting = Meeting(meeting_stream(meeting_id))
        try:
            meeting.schedule(
                tenant_id=tenant,
                kind="group" if match_id else "room",
                program_id=program_id,
                match_id=match_id,
                group_id=group_id,
                organizer=me,
                invited=invited,
                booked_by=me,
                starts_at=start,
                ends_at=end,
                timezone=rules.timezone if rules else "UTC",
                title=title,
                agenda=agenda,
                status="confirmed",
                capacity=capacity,
                video_url=self.video.new_room(meeting_id),
                held=list(held.all),
            )
            await b.save(meeting, was_confirmed=False)
        except BaseException:
            await b.claims.release(held.all, meeting_id)
            raise
        return meeting


@dataclass(frozen=True)
class AnswerInvitation:
    booking: Booking
    members: Members

    async def __call__(self, principal: Principal, meeting_id: str, response: Response) -> Meeting:
        b = self.booking
        me = principal.user_id
        meeting = await b.meetings.load(meeting_stream(meeting_id))
        if not meeting.exists or meeting.tenant_id != principal.tenant_id:
            raise NotFound(f"no meeting {meeting_id!r}", field="meeting_id")
        if not meeting.is_member(me):
            room_member = meeting.kind == "room" and (
                await self.members.roles(principal.tenant_id, meeting.program_id, me)
            )
            if not room_member:
                raise NotFound(f"no meeting {meeting_id!r}", field="meeting_id")
        seat = None
        if meeting.capacity is not None and response == "yes" and me not in meeting.seats:
            seat = await self._seat(meeting, me)
        for _ in range(RSVP_ATTEMPTS):
            try:
                return await self._record(meeting, me, response, seat)
            except ConcurrencyError:
                meeting = await b.meetings.load(meeting_stream(meeting_id))
        if seat is not None:
            await b.claims.release(seat.split(" "), seat_owner(meeting, me))
        raise Conflict("too many answers at once: try again")

    async def _seat(self, meeting: Meeting, me: str) -> str:
        plan = ClaimPlan(
            keys=(attendee_key(meeting.tenant_id, meeting.meeting_id, me),),
            pools=(session_pool(meeting.tenant_id, meeting.meeting_id, meeting.capacity or 0),),
        )
        held = await self.booking.claims.take(plan, seat_owner(meeting, me))
        if isinstance(held, str):
            raise Conflict("the session is full", field="response")
        return " ".join(held.all)

    async def _record(
        self, meeting: Meeting, me: str, response: Response, seat: str | None
    ) -> Meeting:
        b = self.booking
        now = b.clock.now()
        held = meeting.seats.get(me)
        if response == meeting.rsvps.get(me) and (response != "yes" or held or seat is None):
            return meeting  # nothing new
        meeting.rsvp(me, response, seat if response == "yes" else None, now)
        await b.save(meeting, was_confirmed=meeting.status == "confirmed")
        if response == "no" and held:
            await b.claims.release(held.split(" "), seat_owner(meeting, me))
        return meeting
