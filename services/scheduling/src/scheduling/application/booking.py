"""Booking a matched mentor, and what either side does with a booking afterwards.

Every change of a meeting's time goes the same way: check the rules on what the read
model shows (a clear 409 naming the rule), take the claims (the decision under
concurrency: see :mod:`scheduling.domain.claims`), record the event, and give the claims
back if recording fails. Claims a meeting no longer needs are released after its event
is stored, so a crash in between leaves time blocked, never double-booked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.auth import Principal
from chassis.domain import Aggregate
from chassis.errors import Conflict, NotFound, PreconditionFailed
from chassis.text import check_text
from scheduling import contracts_mapping
from scheduling.application.context import Context, meeting_stream
from scheduling.application.ports import Claims, Clock, Meetings, VideoRooms
from scheduling.domain.availability import Availability
from scheduling.domain.claims import ClaimPlan, Held, day_pool, time_keys, week_pool
from scheduling.domain.intervals import normalise, overlaps
from scheduling.domain.meeting import Meeting
from scheduling.domain.slots import check_booking, check_times, day_key, week_key
from scheduling.domain.zones import zone

#: a claim older than this whose meeting does not hold it was left behind by a crash
STALE_SECONDS = 120


def booking_plan(tenant: str, mentor: str, rules: Availability, start: int, end: int) -> ClaimPlan:
    tz = zone(rules.timezone)
    day = day_key(start, tz)
    pools = []
    if rules.max_per_day is not None:
        pools.append(day_pool(tenant, mentor, day, rules.max_per_day))
    if rules.max_per_week is not None:
        pools.append(week_pool(tenant, mentor, week_key(day), rules.max_per_week))
    return ClaimPlan(time_keys(tenant, mentor, start, end, rules.buffer_seconds), tuple(pools))


def refusal(key: str) -> Conflict:
    """Why a claim was refused, from the key somebody else holds."""
    part = key.split("|")[2]
    if part.startswith("d"):
        return Conflict("the mentor's meetings for that day were just taken", field="starts_at")
    if part.startswith("w"):
        return Conflict("the mentor's meetings for that week were just taken", field="starts_at")
    return Conflict("this time was just booked by someone else", field="starts_at")


@dataclass(frozen=True)
class Booking:
    """The dependencies every booking use case shares."""

    context: Context
    meetings: Meetings
    claims: Claims
    clock: Clock

    async def save(self, meeting: Meeting, was_confirmed: bool) -> None:
        await self.meetings.save(
            meeting, messages=contracts_mapping.published(meeting, was_confirmed)
        )
        await self.context.index.put(meeting)

    async def take(self, plan: ClaimPlan, owner: str) -> Held:
        """The plan's claims, or 409 naming what someone else holds. A claim left behind
        (its holder crashed before recording its meeting, or before releasing a cancelled
        or moved one's time) is dropped once it is older than :data:`STALE_SECONDS` and
        its meeting does not hold it, and the plan is tried again."""
        refused = ""
        for _ in range(3):
            held = await self.claims.take(plan, owner)
            if not isinstance(held, str):
                return held
            refused = held
            if not await self._drop_if_stale(refused):
                break
        raise refusal(refused)

    async def _drop_if_stale(self, key: str) -> bool:
        holder = await self.claims.holder(key)
        if holder is None:
            return True  # released meanwhile: try again
        owner, claimed_at = holder
        if claimed_at > self.clock.now() - STALE_SECONDS:
            return False
        meeting_id, _, person = owner.partition("/")
        meeting = await self.meetings.load(meeting_stream(meeting_id))
        if meeting.exists and meeting.status != "cancelled":
            if key in meeting.held or key in meeting.seats.get(person, "").split(" "):
                return False
        await self.claims.release([key], owner)
        return True

    async def visible(self, principal: Principal, meeting_id: str) -> Meeting:
        meeting = await self.meetings.load(meeting_stream(meeting_id))
        if (
            not meeting.exists
            or meeting.tenant_id != principal.tenant_id
            or not meeting.is_member(principal.user_id)
        ):
            raise NotFound(f"no meeting {meeting_id!r}", field="meeting_id")
        return meeting


def expect(aggregate: Aggregate, version: int | None) -> None:
    """412 unless the caller edits the version it read (``If-Match``; None: any)."""
    if version is not None and version != aggregate.version:
        raise PreconditionFailed(
            f"it changed since you read it (version {aggregate.version}, you sent "
            f"{version}): read it again",
            field="If-Match",
        )


@dataclass(frozen=True)
class BookMeeting:
    booking: Booking
    video: VideoRooms

    async def __call__(
        self, principal: Principal, match_id: str, start: int, end: int, title: str, agenda: str
    ) -> Meeting:
        b = self.booking
        check_text(title, "title")
        check_text(agenda, "agenda")
        pair = await b.context.mentorship(principal, match_id)
        if pair.mode != "one_to_one" or principal.user_id not in pair.mentees:
            raise Conflict("only the mentee of a one-to-one mentorship books its meetings")
        tenant, mentor = principal.tenant_id, pair.mentor
        rules = await b.context.mentor_rules(tenant, mentor)
        busy = await b.context.busy(tenant, mentor, start, end)
        check_booking(rules, busy, start, end, b.clock.now())
        meeting_id = uuid.uuid4().hex
        held = await b.take(booking_plan(tenant, mentor, rules, start, end), meeting_id)
        meeting = Meeting(meeting_stream(meeting_id))
        try:
            meeting.schedule(
                tenant_id=tenant,
                kind="one_to_one",
                program_id=pair.program_id,
                match_id=pair.match_id,
                organizer=mentor,
                invited=[principal.user_id],
                booked_by=principal.user_id,
                starts_at=start,
                ends_at=end,
                timezone=rules.timezone,
                title=title,
                agenda=agenda,
                status="pending" if rules.requires_confirmation else "confirmed",
                video_url=self.video.new_room(meeting_id),
                held=list(held.all),
            )
            await b.save(meeting, was_confirmed=False)
        except BaseException:
            await b.claims.release(held.all, meeting_id)
            raise
        return meeting


@dataclass(frozen=True)
class RescheduleMeeting:
    booking: Booking

    async def __call__(
        self,
        principal: Principal,
        meeting_id: str,
        start: int,
        end: int,
        reason: str,
        note: str,
        version: int | None,
    ) -> Meeting:
        b = self.booking
        check_text(note, "note")
        meeting = await b.visible(principal, meeting_id)
        expect(meeting, version)
        tenant, owner = meeting.tenant_id, meeting.organizer
        now = b.clock.now()
        if meeting.kind == "one_to_one":
            rules = await b.context.mentor_rules(tenant, owner)
            busy = await b.context.busy(tenant, owner, start, end, besides=meeting_id)
            check_booking(rules, busy, start, end, now)
            plan = booking_plan(tenant, owner, rules, start, end)
        else:
            plan = await session_time(b.context, tenant, owner, start, end, now, meeting_id)
        held = await b.take(plan, meeting_id)
        old, was_confirmed = set(meeting.held), meeting.status == "confirmed"
        try:
            meeting.reschedule(principal.user_id, start, end, reason, note, list(held.all), now)
            await b.save(meeting, was_confirmed)
        except BaseException:
            await b.claims.release([k for k in held.all if k not in old], meeting_id)
            raise
        await b.claims.release([k for k in old if k not in set(meeting.held)], meeting_id)
        return meeting


async def session_time(
    context: Context, tenant: str, owner: str, start: int, end: int, now: int, besides: str | None
) -> ClaimPlan:
    """A group session's claims: the organizer's time (with their buffer), no limits."""
    check_times(start, end, now)
    rules = await context.availability(tenant, owner)
    buffer = rules.buffer_seconds if rules else 0
    busy = await context.busy(tenant, owner, start, end, besides=besides)
    if overlaps(normalise((x.start - buffer, x.end + buffer) for x in busy), start, end):
        raise Conflict("the organizer has another meeting at this time", field="starts_at")
    return ClaimPlan(time_keys(tenant, owner, start, end, buffer))


@dataclass(frozen=True)
class CancelMeeting:
    booking: Booking

    async def __call__(
        self, principal: Principal, meeting_id: str, reason: str, note: str, version: int | None
    ) -> Meeting:
        b = self.booking
        check_text(note, "note")
        meeting = await b.visible(principal, meeting_id)
        expect(meeting, version)
        was_confirmed = meeting.status == "confirmed"
        meeting.cancel(principal.user_id, reason, note, b.clock.now())
        await b.save(meeting, was_confirmed)
        await b.claims.release(meeting.held, meeting_id)
        return meeting


@dataclass(frozen=True)
class ConfirmMeeting:
    booking: Booking

    async def __call__(self, principal: Principal, meeting_id: str, version: int | None) -> Meeting:
        b = self.booking
        meeting = await b.visible(principal, meeting_id)
        expect(meeting, version)
        meeting.confirm(principal.user_id, b.clock.now())
        await b.save(meeting, was_confirmed=False)
        return meeting
