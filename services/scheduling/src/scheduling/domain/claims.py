"""What a meeting claims so that no two meetings can take the same time or the same seat.

Two requests that both passed :func:`~scheduling.domain.slots.check_booking` on what they
read can still collide. The decision is therefore made by claims: documents whose ``_id``
names a piece of the owner's time or a counted seat; inserting one is the one atomic write
on MongoDB and FerretDB, so of two meetings wanting it exactly one gets it.

* **time**: one claim per 5-minute quantum of ``[start, end + buffer)`` of the organizer.
  Claiming the buffer after every meeting (not before it too) is exact: two meetings
  ``a`` before ``b`` collide iff ``b`` starts before ``a`` ends plus the buffer, which is
  when their claimed ranges share a quantum (all times and buffers are whole quanta).
* **limits**: seat ``k`` of ``max_per_day`` for the meeting's local day (and of
  ``max_per_week`` for its ISO week); the first free seat is taken, none free: refused.
* **capacity** of a group session: seat ``k`` of its capacity, plus one claim per
  attendee so a person never holds two seats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from scheduling.domain.slots import QUANTUM


@dataclass(frozen=True)
class SeatPool:
    """Claim one of ``size`` seats named ``<prefix>#<k>``."""

    prefix: str
    size: int

    def seat(self, k: int) -> str:
        return f"{self.prefix}#{k}"


@dataclass(frozen=True)
class ClaimPlan:
    """Claims to take together (all or nothing)."""

    keys: tuple[str, ...] = ()
    pools: tuple[SeatPool, ...] = ()


@dataclass(frozen=True)
class Held:
    """The claims a meeting holds (kept in its events, released on cancel or move)."""

    keys: tuple[str, ...] = ()
    seats: tuple[str, ...] = field(default=())

    @property
    def all(self) -> tuple[str, ...]:
        return self.keys + self.seats


def time_keys(tenant: str, owner: str, start: int, end: int, buffer: int) -> tuple[str, ...]:
    first, last = start // QUANTUM, -(-(end + buffer) // QUANTUM)
    return tuple(f"{tenant}|{owner}|t{q}" for q in range(first, last))


def day_pool(tenant: str, owner: str, day: date, size: int) -> SeatPool:
    return SeatPool(f"{tenant}|{owner}|d{day.isoformat()}", size)


def week_pool(tenant: str, owner: str, monday: date, size: int) -> SeatPool:
    return SeatPool(f"{tenant}|{owner}|w{monday.isoformat()}", size)


def session_pool(tenant: str, meeting_id: str, capacity: int) -> SeatPool:
    return SeatPool(f"{tenant}|{meeting_id}|seat", capacity)


def attendee_key(tenant: str, meeting_id: str, user_id: str) -> str:
    return f"{tenant}|{meeting_id}|who|{user_id}"
