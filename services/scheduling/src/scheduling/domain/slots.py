"""Free time, bookable slots and the rules a booking must pass: pure interval arithmetic.

free = open time (rules + exceptions, from the minimum notice on)
       - every meeting widened by the buffer on both sides
       - whole local days (weeks) that already hold the day's (week's) limit of meetings

A slot of ``duration`` seconds starts on a ``step`` grid of the owner's wall clock and
lies inside one free interval. :func:`check_booking` answers the same question for one
proposed time and names the first rule it breaks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from chassis.errors import Conflict, InvalidInput
from scheduling.domain.availability import Availability
from scheduling.domain.intervals import Interval, contains, intersect, normalise, overlaps, subtract
from scheduling.domain.zones import LocalDays, local_date, wall_start, zone

QUANTUM = 300  # seconds: every meeting starts and ends on a 5-minute boundary
MAX_MEETING_SECONDS = 4 * 3600
MAX_WINDOW_DAYS = 400


@dataclass(frozen=True)
class Busy:
    """A meeting that holds the owner's time; ``counted`` ones count towards the limits."""

    start: int
    end: int
    counted: bool = True


def day_key(seconds: int, tz: ZoneInfo) -> date:
    return local_date(seconds, tz)


def week_key(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def full_time(availability: Availability, busy: Iterable[Busy], days: LocalDays) -> list[Interval]:
    """The local days and weeks that already hold their limit of counted meetings."""
    per_day: Counter[int] = Counter(days.index(b.start) for b in busy if b.counted)
    per_day.pop(-1, None)
    spans: list[Interval] = []
    last = len(days)
    if availability.max_per_day is not None:
        spans += [
            (days.starts[i], days.starts[i + 1])
            for i, n in per_day.items()
            if n >= availability.max_per_day and i < last
        ]
    if availability.max_per_week is not None:
        per_week: Counter[int] = Counter()
        for i, n in per_day.items():
            per_week[i - days.day(i).weekday()] += n  # the index of that week's Monday
        for monday, n in per_week.items():
            if n >= availability.max_per_week:
                spans.append((_start(days, monday), _start(days, monday + 7)))
    return normalise(spans)


def _start(days: LocalDays, i: int) -> int:
    """Where day ``i`` starts, also for a day just outside the range."""
    if 0 <= i < len(days.starts):
        return days.starts[i]
    return wall_start(days.day(i), time(0), days.tz)


def free_time(
    availability: Availability,
    busy: Sequence[Busy],
    start: int,
    end: int,
    now: int,
    other: list[Interval] | None = None,
) -> list[Interval]:
    """The owner's free intervals in ``[start, end)``; ``other``: only time that suits
    another person too (their own open time)."""
    earliest = max(start, now + availability.min_notice_minutes * 60)
    if earliest >= end:
        return []
    days = LocalDays.around(zone(availability.timezone), earliest, end)
    buffer = availability.buffer_seconds
    taken = normalise((b.start - buffer, b.end + buffer) for b in busy)
    free = subtract(availability.open_time(earliest, end, days), taken)
    free = subtract(free, full_time(availability, busy, days))
    return intersect(free, other) if other is not None else free


def slots(free: list[Interval], duration: int, step: int, tz: ZoneInfo) -> list[Interval]:
    """Every ``duration``-long slot inside ``free`` starting on the ``step`` grid of the
    wall clock of ``tz`` (a whole multiple of :data:`QUANTUM`)."""
    if not free:
        return []
    days = LocalDays.around(tz, free[0][0], free[-1][1])
    out: list[Interval] = []
    for start, end in free:
        local = days.wall_seconds(start)
        first = start + (-local) % step
        first = -(-first // QUANTUM) * QUANTUM
        out.extend((s, s + duration) for s in range(first, end - duration + 1, step))
    return out


def check_times(start: int, end: int, now: int) -> None:
    """The rules of any meeting's times (422, naming the field)."""
    if end <= start:
        raise InvalidInput("the meeting must end after it starts", field="ends_at")
    if end - start > MAX_MEETING_SECONDS:
        raise InvalidInput("a meeting lasts at most 4 hours", field="ends_at")
    if start % QUANTUM or end % QUANTUM:
        raise InvalidInput("meetings start and end on 5-minute boundaries", field="starts_at")
    if start < now:
        raise InvalidInput("the meeting would start in the past", field="starts_at")


def check_booking(
    availability: Availability, busy: Sequence[Busy], start: int, end: int, now: int
) -> None:
    """Refuse a booking of ``[start, end)`` with the first rule it breaks (409)."""
    check_times(start, end, now)
    notice = availability.min_notice_minutes
    if start < now + notice * 60:
        raise Conflict(f"this mentor needs at least {notice} minutes' notice", field="starts_at")
    if not contains(availability.open_time(start - 86400, end + 86400), start, end):
        raise Conflict("the time is outside the mentor's availability", field="starts_at")
    held = normalise((b.start, b.end) for b in busy)
    if overlaps(held, start, end):
        raise Conflict("the mentor has another meeting at this time", field="starts_at")
    buffer = availability.buffer_seconds
    if overlaps(normalise((b.start - buffer, b.end + buffer) for b in busy), start, end):
        raise Conflict(
            f"the time is inside the mentor's {availability.buffer_minutes}-minute buffer "
            "around another meeting",
            field="starts_at",
        )
    tz = zone(availability.timezone)
    day = day_key(start, tz)
    counted = [day_key(b.start, tz) for b in busy if b.counted]
    if availability.max_per_day is not None and counted.count(day) >= availability.max_per_day:
        raise Conflict(
            f"the mentor takes at most {availability.max_per_day} meetings a day",
            field="starts_at",
        )
    week = week_key(day)
    if availability.max_per_week is not None and (
        sum(1 for d in counted if week_key(d) == week) >= availability.max_per_week
    ):
        raise Conflict(
            f"the mentor takes at most {availability.max_per_week} meetings a week",
            field="starts_at",
        )


def window(start: int, days: int) -> Interval:
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise InvalidInput(f"the window is 1 to {MAX_WINDOW_DAYS} days", field="days")
    return start, start + days * 86400
