"""Half-open time intervals ``(start, end)`` in epoch seconds, and set arithmetic on them.

Free time is computed as sets of intervals (open time minus busy time), never by walking
the calendar minute by minute: the cost grows with the number of rules and meetings, not
with the length of the window. Every function takes and returns *normalised* lists:
sorted, non-empty, non-overlapping and non-touching intervals.
"""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[int, int]


def normalise(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge (touching intervals become one); empty ones are dropped."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(base: list[Interval], cut: list[Interval]) -> list[Interval]:
    """``base`` minus ``cut`` (both normalised), in one merge pass."""
    out: list[Interval] = []
    j = 0
    for start, end in base:
        while j < len(cut) and cut[j][1] <= start:
            j += 1
        k = j
        cursor = start
        while k < len(cut) and cut[k][0] < end:
            if cut[k][0] > cursor:
                out.append((cursor, cut[k][0]))
            cursor = max(cursor, cut[k][1])
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The time in both ``a`` and ``b`` (both normalised)."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def clip(intervals: list[Interval], start: int, end: int) -> list[Interval]:
    return intersect(intervals, [(start, end)]) if start < end else []


def contains(intervals: list[Interval], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies inside one interval of the normalised list."""
    return any(s <= start and end <= e for s, e in intervals)


def overlaps(intervals: list[Interval], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in intervals)
