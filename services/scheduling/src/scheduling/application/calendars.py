"""Publishing one's availability, and the free slots a mentee sees for her mentor."""

from __future__ import annotations

from dataclasses import dataclass

from chassis.auth import Principal
from scheduling.application.booking import expect
from scheduling.application.context import Context, calendar_id
from scheduling.application.ports import Calendars, Clock
from scheduling.domain.availability import Availability
from scheduling.domain.calendar import Calendar
from scheduling.domain.intervals import Interval
from scheduling.domain.slots import QUANTUM, free_time, slots, window
from scheduling.domain.zones import zone

MAX_SLOTS = 2000


@dataclass(frozen=True)
class PublishAvailability:
    calendars: Calendars

    async def __call__(
        self, principal: Principal, availability: Availability, version: int | None
    ) -> Calendar:
        calendar = await self.calendars.load(calendar_id(principal.tenant_id, principal.user_id))
        expect(calendar, version)
        calendar.publish(principal.tenant_id, principal.user_id, availability)
        await self.calendars.save(calendar)
        return calendar


@dataclass(frozen=True)
class Slot:
    start: int
    end: int
    suits_both: bool


@dataclass(frozen=True)
class FreeSlots:
    """What ``free_time`` and ``slots`` give for a mentorship, for one viewer."""

    timezone: str
    mentor_timezone: str
    slots: list[Slot]
    mentee_has_availability: bool


@dataclass(frozen=True)
class FindFreeSlots:
    context: Context
    clock: Clock

    async def __call__(
        self,
        principal: Principal,
        match_id: str,
        *,
        days: int,
        duration_minutes: int,
        step_minutes: int,
        viewer_timezone: str | None,
        only_mutual: bool,
    ) -> FreeSlots:
        pair = await self.context.mentorship(principal, match_id)
        tenant = principal.tenant_id
        rules = await self.context.mentor_rules(tenant, pair.mentor)
        now = self.clock.now()
        start, end = window(now - now % QUANTUM, days)
        busy = await self.context.busy(tenant, pair.mentor, start, end)
        mentee = pair.mentees[0] if pair.mode == "one_to_one" else None
        theirs = await self.context.availability(tenant, mentee) if mentee else None
        mutual: list[Interval] | None = theirs.open_time(start, end) if theirs else None
        free = free_time(rules, busy, start, end, now)
        tz = zone(rules.timezone)
        duration, step = duration_minutes * 60, step_minutes * 60
        both: set[Interval] = set()
        if mutual is not None:
            both = set(slots(free_time(rules, busy, start, end, now, mutual), duration, step, tz))
        found = [
            Slot(s, e, (s, e) in both)
            for s, e in slots(free, duration, step, tz)
            if not only_mutual or (s, e) in both
        ]
        viewer = viewer_timezone or (theirs.timezone if theirs else rules.timezone)
        zone(viewer, field="tz")
        return FreeSlots(viewer, rules.timezone, found[:MAX_SLOTS], theirs is not None)
