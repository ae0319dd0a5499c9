"""Properties of slot computation across time zones and daylight-saving transitions.

Each example takes one of 16 zones (both hemispheres, half- and quarter-hour offsets,
30-minute DST, DST at midnight, negative DST), a window around one of its transitions
(spring or autumn), random weekly rules, exceptions, meetings, buffer, notice and limits,
and checks every slot against an independent minute-level reading of the same rules:
inside availability (by wall-clock time), clear of every meeting and its buffer, after
the notice, within the limits; and every slot is bookable (check_booking agrees).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chassis.errors import Conflict, InvalidInput
from scheduling.adapters import ics
from scheduling.domain.availability import Availability, LocalRange, WeeklyRule
from scheduling.domain.meeting import Meeting
from scheduling.domain.slots import QUANTUM, Busy, check_booking, free_time, slots, week_key
from scheduling.domain.zones import epoch, instant, strict_local

ZONES = [
    "Europe/Paris",
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Santiago",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Africa/Cairo",
    "Asia/Tehran",
]
DST_ZONES = [
    z
    for z in ZONES
    if z not in {"America/Sao_Paulo", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo", "Asia/Tehran"}
]


@cache
def transitions(zone: str, year: int) -> list[int]:
    """The instants the zone's UTC offset changes in ``year`` (to the second)."""
    tz = ZoneInfo(zone)

    def offset(t: int) -> timedelta | None:
        return instant(t).astimezone(tz).utcoffset()

    found = []
    t = epoch(datetime(year, 1, 1, tzinfo=UTC))
    end = epoch(datetime(year + 1, 1, 1, tzinfo=UTC))
    while t < end:
        if offset(t) != offset(t + 3600):
            low, high = t, t + 3600
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == offset(t) else (low, middle)
            found.append(high)
        t += 3600
    return found


clock_times = st.integers(0, 24 * 12 - 1).map(lambda q: time(q // 12, q % 12 * 5))


@st.composite
def rules(draw: st.DrawFn) -> WeeklyRule:
    start = draw(clock_times)
    length = draw(st.integers(1, 12 * 10)) * 5
    end_minutes = start.hour * 60 + start.minute + length
    end = None if end_minutes >= 24 * 60 else time(end_minutes // 60, end_minutes % 60)
    days = draw(st.sets(st.integers(0, 6), min_size=1, max_size=7))
    return WeeklyRule(tuple(sorted(days)), start, end)


@st.composite
def cases(draw: st.DrawFn) -> dict:
    zone = draw(st.sampled_from(ZONES))
    year = draw(st.sampled_from([2024, 2025, 2026]))
    moments = transitions(zone, year) or [epoch(datetime(year, 6, 1, tzinfo=UTC))]
    pivot = draw(st.sampled_from(moments))  # spring and autumn both come up
    start = pivot - draw(st.integers(0, 4 * 24)) * 3600
    start -= start % QUANTUM
    end = start + draw(st.integers(1, 8)) * 86400
    tz = ZoneInfo(zone)
    base = instant(start).astimezone(tz).replace(tzinfo=None, minute=0, second=0)
    holidays = frozenset(
        (base + timedelta(days=d)).date() for d in draw(st.sets(st.integers(0, 8), max_size=2))
    )
    blocked = []
    for offset in draw(st.lists(st.integers(0, 8 * 24), max_size=2)):
        local = base + timedelta(hours=offset)
        try:
            strict_local(local, tz, field="x")
            strict_local(local + timedelta(hours=2), tz, field="x")
        except InvalidInput:
            continue  # a DST gap or fold: a person cannot name it; skip
        blocked.append(LocalRange(local, local + timedelta(hours=2)))
    availability = Availability(
        timezone=zone,
        rules=tuple(draw(st.lists(rules(), min_size=1, max_size=4))),
        blocked=tuple(blocked),
        holidays=holidays,
        buffer_minutes=draw(st.sampled_from([0, 5, 15, 30])),
        min_notice_minutes=draw(st.sampled_from([0, 60, 24 * 60])),
        max_per_day=draw(st.one_of(st.none(), st.integers(1, 3))),
        max_per_week=draw(st.one_of(st.none(), st.integers(1, 6))),
    )
    busy = []
    for _ in range(draw(st.integers(0, 8))):
        s = start + draw(st.integers(0, (end - start) // QUANTUM)) * QUANTUM
        busy.append(Busy(s, s + draw(st.integers(1, 24)) * QUANTUM, draw(st.booleans())))
    now = start - draw(st.integers(0, 48)) * 1800
    duration = draw(st.sampled_from([15, 30, 45, 60, 90])) * 60
    step = draw(st.sampled_from([5, 15, 30, 60])) * 60
    return {
        "a": availability,
        "busy": busy,
        "start": start,
        "end": end,
        "now": now,
        "duration": duration,
        "step": step,
    }


def open_by_wall_clock(a: Availability, t: int) -> bool:
    """The oracle: is instant ``t`` inside a rule, read on the wall clock of the zone?"""
    tz = ZoneInfo(a.timezone)
    wall = instant(t).astimezone(tz).replace(tzinfo=None)
    for r in a.blocked:
        if r.start <= wall < r.end:
            return False
    if wall.date() in a.holidays:
        return False
    for rule in a.rules:
        if (
            wall.weekday() in rule.weekdays
            and rule.start <= wall.time()
            and (rule.end is None or wall.time() < rule.end)
        ):
            return True
    return False


def day_of(t: int, a: Availability) -> date:
    return instant(t).astimezone(ZoneInfo(a.timezone)).date()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_every_slot_is_open_free_noticed_within_limits_and_bookable(case: dict) -> None:
    a: Availability = case["a"]
    busy: list[Busy] = case["busy"]
    tz = ZoneInfo(a.timezone)
    free = free_time(a, busy, case["start"], case["end"], case["now"])
    found = slots(free, case["duration"], case["step"], tz)
    per_day = Counter(day_of(b.start, a) for b in busy if b.counted)
    per_week: Counter[date] = Counter()
    for d, n in per_day.items():
        per_week[week_key(d)] += n
    buffer = a.buffer_seconds
    for s, e in found[:: max(1, len(found) // 40)]:  # 40 spread out: every day comes up
        assert case["start"] <= s and e <= case["end"]
        assert e - s == case["duration"] and s % QUANTUM == 0
        assert s >= case["now"] + a.min_notice_minutes * 60
        for t in [*range(s, e, QUANTUM), e - 1]:  # rules and ranges are on 5-minute walls
            assert open_by_wall_clock(a, t), (instant(t).astimezone(tz), a)
        for b in busy:
            assert e <= b.start - buffer or s >= b.end + buffer, "overlaps a meeting or buffer"
        day = day_of(s, a)
        if a.max_per_day is not None:
            assert per_day[day] < a.max_per_day
        if a.max_per_week is not None:
            assert per_week[week_key(day)] < a.max_per_week
        check_booking(a, busy, s, e, case["now"])  # raises if any rule refuses it


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_slots_never_overlap_each_other_when_booked_one_after_another(case: dict) -> None:
    """Booking the first slot and recomputing never offers time inside the new buffer."""
    a: Availability = case["a"]
    tz = ZoneInfo(a.timezone)
    busy = list(case["busy"])
    for _ in range(3):
        found = slots(
            free_time(a, busy, case["start"], case["end"], case["now"]),
            case["duration"],
            case["step"],
            tz,
        )
        if not found:
            break
        s, e = found[0]
        busy.append(Busy(s, e))
        for other in slots(
            free_time(a, busy, case["start"], case["end"], case["now"]),
            case["duration"],
            case["step"],
            tz,
        ):
            assert other[1] <= s - a.buffer_seconds or other[0] >= e + a.buffer_seconds
        with pytest.raises(Conflict):
            check_booking(a, busy, s, e, case["now"])


@settings(max_examples=100, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=st.integers(
        epoch(datetime(2024, 1, 1, tzinfo=UTC)) // QUANTUM,
        epoch(datetime(2027, 1, 1, tzinfo=UTC)) // QUANTUM,
    ),
    quanta=st.integers(1, 48),
    sequence=st.integers(0, 50),
    cancelled=st.booleans(),
)
def test_ics_round_trips_exactly(
    zone: str, start: int, quanta: int, sequence: int, cancelled: bool
) -> None:
    meeting = Meeting("meeting-m1")
    meeting.tenant_id, meeting.organizer, meeting.invited = "t", "mentor", ["mentee"]
    meeting.starts_at, meeting.ends_at = start * QUANTUM, (start + quanta) * QUANTUM
    meeting.timezone, meeting.title, meeting.sequence = zone, "Chat", sequence
    meeting.status = "cancelled" if cancelled else "confirmed"
    meeting.video_url = "https://meet.jit.si/Mentorship-x"
    cal = icalendar.Calendar.from_ical(ics.invite(meeting, "mentee"))
    assert str(cal["METHOD"]) == ("CANCEL" if cancelled else "REQUEST")
    event = cal.walk("VEVENT")[0]
    assert event.decoded("dtstart").timestamp() == meeting.starts_at
    assert event.decoded("dtend").timestamp() == meeting.ends_at
    assert str(event["UID"]) == "m1@scheduling.mentorship"
    assert int(event["SEQUENCE"]) == sequence
    assert str(event["DTSTART"].params["TZID"]) == zone
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {zone}


@pytest.mark.parametrize("zone", DST_ZONES)
def test_gap_and_fold_times_are_refused_by_name(zone: str) -> None:
    tz = ZoneInfo(zone)
    for moment in transitions(zone, 2025):
        before = instant(moment - 1).astimezone(tz)
        after = instant(moment).astimezone(tz)
        jump = after.utcoffset() - before.utcoffset()  # type: ignore[operator]
        wall = after.replace(tzinfo=None)
        if jump > timedelta(0):  # spring forward: the skipped wall time does not exist
            skipped = wall - jump / 2
            with pytest.raises(InvalidInput, match="does not exist"):
                strict_local(skipped.replace(second=0, microsecond=0), tz, field="local_start")
        else:  # fall back: the repeated wall time happens twice
            with pytest.raises(InvalidInput, match="happens twice"):
                strict_local(wall, tz, field="local_start")


def test_rules_keep_their_wall_clock_across_the_change() -> None:
    """Tuesdays 18:00-20:00 Paris is 17:00 UTC in winter and 16:00 UTC in summer."""
    a = Availability("Europe/Paris", rules=(WeeklyRule((1,), time(18), time(20)),))
    start = epoch(datetime(2025, 3, 24, tzinfo=UTC))
    open_ = a.open_time(start, start + 14 * 86400)
    assert [instant(s).hour for s, _ in open_] == [17, 16]
    assert all(e - s == 7200 for s, e in open_)
