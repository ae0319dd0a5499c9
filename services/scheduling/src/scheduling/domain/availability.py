"""A member's availability: weekly rules in their own zone, exceptions, buffer, notice, limits.

The rules are wall-clock rules ("Tuesdays 18:00-20:00 Europe/Paris"), so they keep their
local times across daylight-saving changes while their UTC instants move. They expand into
UTC intervals for a window, one occurrence per matching local day (integer arithmetic on
days of 24 hours, the exact gap/fold rules on the others: ``zones.LocalDays``), then
exceptions apply: holidays remove whole local days of rule time, one-off extra slots
add time, blocked ranges remove time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from chassis.errors import InvalidInput
from scheduling.domain.intervals import Interval, clip, normalise, subtract
from scheduling.domain.zones import LocalDays, strict_local, zone

MAX_RULES = 50
MAX_EXCEPTIONS = 200
MAX_HOLIDAYS = 400
MAX_BUFFER_MINUTES = 120
MAX_NOTICE_MINUTES = 60 * 24 * 60
QUANTUM_MINUTES = 5


@dataclass(frozen=True)
class WeeklyRule:
    """Open on ``weekdays`` (0 = Monday) from ``start`` to ``end`` (None: midnight)."""

    weekdays: tuple[int, ...]
    start: time
    end: time | None
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class LocalRange:
    """A one-off range of wall-clock times in the availability's zone."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Availability:
    timezone: str
    rules: tuple[WeeklyRule, ...] = ()
    extra: tuple[LocalRange, ...] = ()
    blocked: tuple[LocalRange, ...] = ()
    holidays: frozenset[date] = frozenset()
    buffer_minutes: int = 0
    min_notice_minutes: int = 0
    max_per_day: int | None = None
    max_per_week: int | None = None
    requires_confirmation: bool = False
    _extra_utc: list[Interval] = field(default_factory=list, compare=False, repr=False)
    _blocked_utc: list[Interval] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        tz = zone(self.timezone)
        _check(self)
        extra = [_strict(r, tz, f"extra[{i}]") for i, r in enumerate(self.extra)]
        blocked = [_strict(r, tz, f"blocked[{i}]") for i, r in enumerate(self.blocked)]
        object.__setattr__(self, "_extra_utc", normalise(extra))
        object.__setattr__(self, "_blocked_utc", normalise(blocked))

    @property
    def buffer_seconds(self) -> int:
        return self.buffer_minutes * 60

    def open_time(self, start: int, end: int, days: LocalDays | None = None) -> list[Interval]:
        """The open intervals between ``start`` and ``end`` (epoch seconds)."""
        days = days or LocalDays.around(zone(self.timezone), start, end)
        found: list[Interval] = []
        for i in range(max(0, days.index(start)), min(len(days), days.index(end) + 1)):
            day = days.day(i)
            if day in self.holidays:
                continue
            weekday = day.weekday()
            for rule in self.rules:
                if weekday not in rule.weekdays:
                    continue
                if (rule.valid_from and day < rule.valid_from) or (
                    rule.valid_until and day > rule.valid_until
                ):
                    continue
                opens = days.at(i, rule.start)
                closes = days.starts[i + 1] if rule.end is None else days.at(i, rule.end, end=True)
                found.append((opens, closes))
        found.extend(self._extra_utc)
        return clip(subtract(normalise(found), self._blocked_utc), start, end)

    # --- stored form ---------------------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "rules": [
                {
                    "weekdays": list(r.weekdays),
                    "start": r.start.strftime("%H:%M"),
                    "end": r.end.strftime("%H:%M") if r.end else "24:00",
                    "valid_from": r.valid_from.isoformat() if r.valid_from else None,
                    "valid_until": r.valid_until.isoformat() if r.valid_until else None,
                }
                for r in self.rules
            ],
            "extra": [_range_data(r) for r in self.extra],
            "blocked": [_range_data(r) for r in self.blocked],
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "buffer_minutes": self.buffer_minutes,
            "min_notice_minutes": self.min_notice_minutes,
            "max_per_day": self.max_per_day,
            "max_per_week": self.max_per_week,
            "requires_confirmation": self.requires_confirmation,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Availability:
        return cls(
            timezone=data["timezone"],
            rules=tuple(
                WeeklyRule(
                    weekdays=tuple(r["weekdays"]),
                    start=parse_clock(r["start"], "rules.start"),
                    end=parse_end(r["end"]),
                    valid_from=date.fromisoformat(r["valid_from"]) if r["valid_from"] else None,
                    valid_until=date.fromisoformat(r["valid_until"]) if r["valid_until"] else None,
                )
                for r in data["rules"]
            ),
            extra=tuple(_range(r) for r in data["extra"]),
            blocked=tuple(_range(r) for r in data["blocked"]),
            holidays=frozenset(date.fromisoformat(d) for d in data["holidays"]),
            buffer_minutes=data["buffer_minutes"],
            min_notice_minutes=data["min_notice_minutes"],
            max_per_day=data["max_per_day"],
            max_per_week=data["max_per_week"],
            requires_confirmation=data["requires_confirmation"],
        )


def parse_clock(text: str, where: str) -> time:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise InvalidInput(f"{text!r} is not a time of day (HH:MM)", field=where) from None


def parse_end(text: str) -> time | None:
    return None if text == "24:00" else parse_clock(text, "rules.end")


def _range_data(r: LocalRange) -> dict[str, str]:
    return {"start": r.start.isoformat(), "end": r.end.isoformat()}


def _range(data: dict[str, str]) -> LocalRange:
    return LocalRange(datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"]))


def _strict(r: LocalRange, tz: Any, where: str) -> Interval:
    start = strict_local(r.start, tz, field=f"{where}.start")
    end = strict_local(r.end, tz, field=f"{where}.end")
    if end <= start:
        raise InvalidInput("the end must be after the start", field=f"{where}.end")
    return start, end


def _check(a: Availability) -> None:
    if len(a.rules) > MAX_RULES:
        raise InvalidInput(f"at most {MAX_RULES} weekly rules", field="rules")
    if len(a.extra) + len(a.blocked) > MAX_EXCEPTIONS:
        raise InvalidInput(f"at most {MAX_EXCEPTIONS} extra and blocked ranges", field="extra")
    if len(a.holidays) > MAX_HOLIDAYS:
        raise InvalidInput(f"at most {MAX_HOLIDAYS} holidays", field="holidays")
    for i, rule in enumerate(a.rules):
        if not rule.weekdays or any(not 0 <= d <= 6 for d in rule.weekdays):
            raise InvalidInput("weekdays are 0 (Monday) to 6 (Sunday)", field=f"rules[{i}]")
        if rule.end is not None and rule.end <= rule.start:
            raise InvalidInput("a rule's end must be after its start", field=f"rules[{i}].end")
        if rule.start.minute % QUANTUM_MINUTES or (rule.end and rule.end.minute % QUANTUM_MINUTES):
            raise InvalidInput("rule times are on 5-minute boundaries", field=f"rules[{i}]")
        if rule.valid_from and rule.valid_until and rule.valid_until < rule.valid_from:
            raise InvalidInput("valid_until is before valid_from", field=f"rules[{i}]")
    if not 0 <= a.buffer_minutes <= MAX_BUFFER_MINUTES or a.buffer_minutes % QUANTUM_MINUTES:
        raise InvalidInput(
            f"the buffer is 0 to {MAX_BUFFER_MINUTES} minutes in steps of 5",
            field="buffer_minutes",
        )
    if not 0 <= a.min_notice_minutes <= MAX_NOTICE_MINUTES:
        raise InvalidInput("the minimum notice is 0 to 60 days", field="min_notice_minutes")
    for name in ("max_per_day", "max_per_week"):
        value = getattr(a, name)
        if value is not None and not 1 <= value <= 100:
            raise InvalidInput("a limit is 1 to 100 meetings (or none)", field=name)
