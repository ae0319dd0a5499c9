"""What the use cases need from the outside world, as Protocols (adapters implement them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chassis.eventstore import Publish
from scheduling.domain.calendar import Calendar
from scheduling.domain.claims import ClaimPlan, Held
from scheduling.domain.meeting import Meeting


class Meetings(Protocol):
    async def load(self, stream_id: str) -> Meeting: ...
    async def save(self, meeting: Meeting, *, messages: Sequence[Publish] = ()) -> Any: ...


class Calendars(Protocol):
    async def load(self, stream_id: str) -> Calendar: ...
    async def save(self, calendar: Calendar, *, messages: Sequence[Publish] = ()) -> Any: ...


class MeetingIndex(Protocol):
    """The meetings read model: each meeting's latest state, found by person and time."""

    async def put(self, meeting: Meeting) -> None: ...
    async def organized_by(self, tenant: str, user: str, start: int, end: int) -> list[Meeting]:
        """Meetings (not cancelled) that ``user`` organizes and that overlap the range."""
        ...

    async def of_member(self, tenant: str, user: str, start: int, end: int) -> list[Meeting]:
        """Meetings ``user`` organizes or is invited to, overlapping the range."""
        ...

    async def of_match(self, tenant: str, match_id: str) -> list[Meeting]: ...
    async def starting(self, start: int, end: int) -> list[Meeting]:
        """Meetings of every tenant (not cancelled) starting in ``[start, end)``."""
        ...


@dataclass(frozen=True)
class Pair:
    """A mentorship scheduling knows from ``match-made`` (a pair or a group)."""

    tenant_id: str
    match_id: str
    program_id: str
    mode: str
    group_id: str | None
    mentor: str
    mentees: list[str]
    active: bool


class Pairs(Protocol):
    async def made(self, pair: Pair) -> None: ...
    async def ended(self, tenant: str, match_id: str) -> None: ...
    async def get(self, tenant: str, match_id: str) -> Pair | None: ...
    async def forget_user(self, tenant: str, user: str) -> None: ...


class Members(Protocol):
    """Program membership (from ``profile-changed``): who may join a program room."""

    async def set(
        self, tenant: str, program: str, user: str, roles: list[str] | None, version: int
    ) -> None:
        """Record the member's roles at ``version`` (None: erased); older versions lose."""
        ...

    async def roles(self, tenant: str, program: str, user: str) -> list[str] | None: ...


class Claims(Protocol):
    async def take(self, plan: ClaimPlan, owner: str) -> Held | str:
        """All claims of ``plan`` for ``owner`` (claims it holds already count), or the
        first key someone else holds (then nothing of the plan stays claimed)."""
        ...

    async def release(self, keys: Sequence[str], owner: str) -> None: ...
    async def holder(self, key: str) -> tuple[str, int] | None:
        """Who holds ``key`` and since when (epoch seconds), or None if nobody."""
        ...


class VideoRooms(Protocol):
    def new_room(self, meeting_id: str) -> str:
        """A link to a new video room, unguessable by anyone not given it."""
        ...


class ReminderLog(Protocol):
    async def emit_once(self, reminder_id: str, tenant: str, message: Publish) -> bool:
        """Record (and so publish) ``message`` unless ``reminder_id`` was recorded before."""
        ...


@dataclass(frozen=True)
class Feed:
    tenant_id: str
    user_id: str
    revoked: bool


class Feeds(Protocol):
    async def create(self, token_hash: str, tenant: str, user: str) -> None: ...
    async def find(self, token_hash: str) -> Feed | None: ...
    async def revoke_all(self, tenant: str, user: str) -> int: ...


class Clock(Protocol):
    def now(self) -> int: ...
