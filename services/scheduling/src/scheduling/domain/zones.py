"""IANA time zones and wall-clock times, with the daylight-saving edge cases named.

A wall-clock time a person types ("Tuesday 02:30 in Europe/Paris") can be *non-existent*
(the clocks jumped over it) or *ambiguous* (the clocks went back and it happened twice).
Where a person names one moment (a booking, a one-off slot) both are refused with a
message naming the problem; where a recurring rule crosses a transition, the rule keeps
only instants whose wall-clock time lies inside it (:func:`wall_start`, :func:`wall_end`):
a boundary in a gap moves to the transition, a boundary in a fold takes the occurrence
that keeps the interval inside the rule.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chassis.errors import InvalidInput

MAX_ZONE_NAME = 64


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone(name: str, *, field: str = "timezone") -> ZoneInfo:
    """The zone named ``name``, or 422 naming ``field`` (unknown names, paths, junk)."""
    if not name or len(name) > MAX_ZONE_NAME or name.startswith("/") or ".." in name:
        raise InvalidInput(f"{name!r} is not an IANA time zone", field=field)
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            f"unknown time zone {name!r} (use an IANA name such as 'Europe/Paris')", field=field
        ) from None


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _exists(local: datetime) -> bool:
    return local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


def _ambiguous(local: datetime) -> bool:
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()


def strict_local(local: datetime, tz: ZoneInfo, *, field: str) -> int:
    """A naive wall-clock time in ``tz`` as epoch seconds; 422 if the clocks skipped it
    (a DST gap) or showed it twice (a DST fold)."""
    aware = local.replace(tzinfo=tz, fold=0)
    if not _exists(aware):
        raise InvalidInput(
            f"{local.isoformat(timespec='minutes')} does not exist in {tz.key} "
            "(the clocks skip it when daylight saving time starts)",
            field=field,
        )
    if _ambiguous(aware):
        raise InvalidInput(
            f"{local.isoformat(timespec='minutes')} happens twice in {tz.key} "
            "(the clocks go back); give the time with its UTC offset instead",
            field=field,
        )
    return epoch(aware)


def wall_start(day: date, at: time, tz: ZoneInfo) -> int:
    """Where a rule starting at ``at`` on ``day`` starts: in a gap, at the transition; in a
    fold, at the second occurrence (the first is followed by wall times before ``at``)."""
    local = datetime.combine(day, at, tz)
    if _exists(local):
        return epoch(local.replace(fold=1))
    return _after_gap(local)


def wall_end(day: date, at: time | None, tz: ZoneInfo) -> int:
    """Where a rule ending at ``at`` (None: midnight after ``day``) ends: in a gap, at the
    transition; in a fold, at the first occurrence (after it come wall times past ``at``)."""
    if at is None:
        return wall_start(day + timedelta(days=1), time(0), tz)
    local = datetime.combine(day, at, tz)
    if _exists(local):
        return epoch(local.replace(fold=0))
    return _after_gap(local)


def _after_gap(local: datetime) -> int:
    """For a time inside a gap, the transition itself (the first instant after the gap)."""
    before = epoch(local.replace(fold=0))  # read with the offset before the jump: later
    after = epoch(local.replace(fold=1))  # read with the offset after the jump: earlier
    low, high = min(before, after), max(before, after)
    while high - low > 1:  # the transition lies between; offsets change on whole seconds
        middle = (low + high) // 2
        if (
            instant(middle).astimezone(local.tzinfo).utcoffset()
            == local.replace(fold=0).utcoffset()
        ):
            low = middle
        else:
            high = middle
    return high


def local_date(seconds: int, tz: ZoneInfo) -> date:
    return instant(seconds).astimezone(tz).date()


class LocalDays:
    """The local days of a zone over a range, with the UTC instant each one starts.

    Wall-clock arithmetic becomes integer arithmetic (day start + seconds) on every day
    whose length is 24 hours; only the few days the offset changes go through the exact
    gap/fold rules of :func:`wall_start` / :func:`wall_end`. One zone conversion per day.
    """

    def __init__(self, tz: ZoneInfo, first: date, last: date) -> None:
        self.tz, self.first = tz, first
        self.starts: list[int] = []
        self.dates: list[date] = []
        self.naive: list[int] = []  # each day's midnight as local seconds since 1970
        offset = int(datetime.combine(first, time(12), tz).utcoffset().total_seconds())  # type: ignore[union-attr]
        for i in range((last - first).days + 2):
            day = first + timedelta(days=i)
            naive = (day.toordinal() - EPOCH_ORDINAL) * 86400
            guess = naive - offset
            local = instant(guess).astimezone(tz)
            offset = int(local.utcoffset().total_seconds())  # type: ignore[union-attr]
            start = naive - offset
            if start != guess or local.hour or local.minute:  # midnight moved or skipped
                start = wall_start(day, time(0), tz)
                offset = naive - start
            self.starts.append(start)
            self.dates.append(day)
            self.naive.append(naive)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def day(self, i: int) -> date:
        return self.dates[i] if 0 <= i < len(self.dates) else self.first + timedelta(days=i)

    def regular(self, i: int) -> bool:
        return self.starts[i + 1] - self.starts[i] == 86400

    def at(self, i: int, at: time, *, end: bool = False) -> int:
        """Where wall time ``at`` of day ``i`` falls (as wall_start, or wall_end for ``end``)."""
        if self.regular(i):
            return self.starts[i] + at.hour * 3600 + at.minute * 60
        return wall_end(self.day(i), at, self.tz) if end else wall_start(self.day(i), at, self.tz)

    def index(self, seconds: int) -> int:
        """The day (index) an instant falls on; -1 before the range."""
        return bisect_right(self.starts, seconds) - 1

    def wall_seconds(self, seconds: int) -> int:
        """The wall-clock time of an instant as seconds since 1970-01-01 00:00 local."""
        i = self.index(seconds)
        if 0 <= i < len(self) and self.regular(i):
            return self.naive[i] + seconds - self.starts[i]
        local = instant(seconds).astimezone(self.tz)
        return seconds + int(local.utcoffset().total_seconds())  # type: ignore[union-attr]

    @classmethod
    def around(cls, tz: ZoneInfo, start: int, end: int) -> LocalDays:
        return cls(
            tz, local_date(start, tz) - timedelta(days=1), local_date(end, tz) + timedelta(days=1)
        )


EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
