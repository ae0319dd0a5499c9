"""What the use cases need from the outside world, as Protocols.

The adapters (``profiles.adapters``) implement them on MongoDB, the event store and
tantivy; the unit tests implement them in memory (``tests/unit/profiles_fakes.py``). Value types
that cross a port (search filters and pages, history entries) live here too, so the use
cases import no adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from chassis.eventstore import Publish
from profiles.domain.member import Member
from profiles.domain.program import Program

A = TypeVar("A", Member, Program)
Page = tuple[list[dict[str, Any]], str | None]


class Repository(Protocol[A]):
    """Loads and saves one kind of aggregate (``chassis.repository.AggregateRepository``)."""

    async def load(self, stream_id: str) -> A: ...

    async def save(
        self, aggregate: A, *, messages: Sequence[Publish] = (), tenant_id: str | None = None
    ) -> Any:
        """Append the pending events and ``messages`` as one commit; a concurrent writer
        raises ``chassis.eventstore.ConcurrencyError`` and nothing is written."""

    async def save_new(
        self,
        aggregates: Sequence[A],
        *,
        messages: Callable[[A], Sequence[Publish]],
        tenant_id: str,
    ) -> list[A]:
        """Start new streams in bulk; returns the aggregates whose stream existed."""


MemberRepository = Repository[Member]
ProgramRepository = Repository[Program]


class Projection(Protocol):
    """Keeps the read models (MongoDB documents, the search index) up to date."""

    async def member_saved(self, member: Member, program: Program) -> None: ...

    async def program_saved(self, program: Program, *, reindex_members: bool) -> None: ...

    async def members_imported(self, members: Sequence[Member], program: Program) -> None: ...

    def appending(self, stream_ids: set[str]) -> AbstractAsyncContextManager[None]:
        """While the caller appends these new streams (and projects them itself)."""

    async def program(self, program_id: str) -> Program | None:
        """A program by id (cached), ``None`` if it does not exist."""


class ReadModels(Protocol):
    """Queries on the MongoDB read models of programs and members."""

    async def list_programs(
        self,
        tenant_id: str,
        organization_id: str,
        *,
        include_all: bool,
        cursor: str | None,
        limit: int,
    ) -> Page: ...

    async def list_members(
        self,
        tenant_id: str,
        program_id: str,
        *,
        role: str | None,
        application_state: str | None,
        cursor: str | None,
        limit: int,
    ) -> Page: ...

    async def memberships_of(self, tenant_id: str, user_id: str) -> list[dict[str, Any]]: ...

    async def members_by_id(self, ids: list[str]) -> dict[str, dict[str, Any]]: ...

    async def has_members(self, program_id: str) -> bool: ...


@dataclass
class SearchFilters:
    industries: Sequence[str] = ()
    job_functions: Sequence[str] = ()
    skills: Sequence[str] = ()
    languages: Sequence[str] = ()
    tz_min_minutes: int | None = None
    tz_max_minutes: int | None = None
    min_years: int | None = None
    max_years: int | None = None
    role: str | None = None
    approved: bool | None = None
    accepting: bool | None = None
    custom: Sequence[tuple[str, str]] = ()
    #: admins see every member; others only mentees and visible (approved) mentors
    admin_view: bool = False


@dataclass
class SearchPage:
    hits: list[tuple[str, float]]
    total: int
    next_cursor: str | None


class SearchIndex(Protocol):
    def search(
        self,
        tenant_id: str,
        program_id: str,
        text: str | None,
        filters: SearchFilters,
        *,
        limit: int = 20,
        cursor: str | None = None,
    ) -> SearchPage: ...


class MentorLoads(Protocol):
    """Active matches, from matching's events: mentors' loads and who is matched."""

    async def load_of(self, member_ids: list[str]) -> dict[str, int]: ...

    async def matched(self, a: str, b: str) -> bool: ...

    async def partners_of(self, member_id: str, candidates: list[str]) -> set[str]: ...


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    type: str
    at: datetime


class History(Protocol):
    """A stream's stored events, for a person's data export."""

    async def of(self, stream_id: str) -> list[HistoryEntry]: ...


class Erasure(Protocol):
    """Forgets personal data kept beside the aggregates."""

    async def redact_history(self, member_id: str) -> None:
        """Overwrite the personal content of the member's stored events and messages."""

    async def forget_requests(self, tenant_id: str, user_id: str) -> None:
        """Drop the stored responses of the person's idempotent requests."""
