"""What scheduling does when matching or profiles tell it something (consumers' effects).

* ``match-made``: the pair (or group) may now book and meet;
* ``mentorship-ended``: its meetings still to come are cancelled (attendees are told by
  ``meeting-cancelled``), and it can book no more;
* ``profile-changed`` with ``erased``: the member leaves every meeting (a meeting they
  organize is cancelled), their availability and calendar feeds go.
Every effect is idempotent: a replayed event finds the meetings cancelled already.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduling.application.booking import Booking
from scheduling.application.context import calendar_id
from scheduling.application.ports import Feeds, Members, Pair, Pairs
from scheduling.domain.meeting import Meeting

FOREVER = 2**40


@dataclass(frozen=True)
class Mentorships:
    booking: Booking
    pairs: Pairs
    members: Members
    feeds: Feeds

    async def made(self, pair: Pair) -> None:
        await self.pairs.made(pair)

    async def ended(self, tenant: str, match_id: str) -> int:
        """Cancel the mentorship's meetings still to come; returns how many."""
        await self.pairs.ended(tenant, match_id)
        now = self.booking.clock.now()
        cancelled = 0
        for row in await self.booking.context.index.of_match(tenant, match_id):
            if row.status == "cancelled" or row.ends_at <= now:
                continue
            meeting = await self.booking.meetings.load(row.stream_id)
            if await self._cancel(meeting, "mentorship_ended"):
                cancelled += 1
        return cancelled

    async def member_changed(
        self, tenant: str, program: str, user: str, roles: list[str], version: int, erased: bool
    ) -> None:
        await self.members.set(tenant, program, user, None if erased else roles, version)
        if not erased:
            return
        index = self.booking.context.index
        for row in await index.of_member(tenant, user, 0, FOREVER):
            meeting = await self.booking.meetings.load(row.stream_id)
            if meeting.organizer == user:
                await self._cancel(meeting, "other")
            elif meeting.is_member(user) or user in meeting.rsvps:
                was_confirmed = meeting.status == "confirmed"
                meeting.leave(user)
                if meeting.kind == "one_to_one" and not meeting.invited:
                    meeting.end_by_system("attendee_cancelled")
                await self.booking.save(meeting, was_confirmed)
                if meeting.status == "cancelled":
                    await self.booking.claims.release(meeting.held, meeting.meeting_id)
        calendar = await self.booking.context.calendars.load(calendar_id(tenant, user))
        calendar.withdraw()
        await self.booking.context.calendars.save(calendar)
        await self.feeds.revoke_all(tenant, user)
        await self.pairs.forget_user(tenant, user)

    async def _cancel(self, meeting: Meeting, reason: str) -> bool:
        if meeting.status == "cancelled":
            return False
        was_confirmed = meeting.status == "confirmed"
        meeting.end_by_system(reason)
        await self.booking.save(meeting, was_confirmed)
        await self.booking.claims.release(meeting.held, meeting.meeting_id)
        return True
