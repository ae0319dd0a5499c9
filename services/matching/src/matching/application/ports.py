"""What the use cases need from the outside world, as Protocols.

The adapters (``matching.adapters``) implement them on MongoDB; the unit tests implement
them in memory (``tests/unit/matching_fakes.py``). Use cases never import an adapter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from chassis.domain import DomainEvent
from matching.domain.mentor_book import MentorBook
from matching.domain.pool import ProgramPool
from matching.domain.rounds import BulkRound

Clock = Callable[[], datetime]
BookRef = tuple[str, str, str]  # tenant, program, mentor
MemberLeft = Callable[[str, str, str], Awaitable[None]]


class MentorBooks(Protocol):
    """The repository of mentors' books (event-sourced aggregates)."""

    async def load(self, stream_id: str) -> MentorBook: ...

    async def moved_past(self, stream_id: str, version: int) -> bool:
        """Whether the book has events after ``version`` (another replica saved since)."""
        ...

    async def save(self, book: MentorBook) -> list[DomainEvent]:
        """One commit of the pending events (a ConcurrencyError if the stream moved)."""
        ...

    async def forget_texts(self, stream_id: str, request_ids: Collection[str]) -> int: ...

    def all_books(self) -> AsyncIterator[tuple[MentorBook, list[DomainEvent]]]: ...

    async def write_snapshot(self, book: MentorBook) -> None: ...


class Rounds(Protocol):
    """The repository of bulk rounds, with each run's document and the program's list."""

    async def load(self, stream_id: str) -> BulkRound: ...

    async def save(self, round_: BulkRound) -> None: ...

    async def put_run(self, round_id: str, number: int, doc: Mapping[str, Any]) -> None: ...

    async def run(self, round_id: str, number: int) -> dict[str, Any] | None: ...

    async def program_rounds(self, tenant_id: str, program_id: str) -> dict[str, Any]: ...


class Memberships(Protocol):
    """Who is in a program: its configuration and a user's member id and roles (access)."""

    async def program(self, tenant_id: str, program_id: str) -> dict[str, Any] | None: ...

    async def membership(
        self, tenant_id: str, program_id: str, user_id: str
    ) -> dict[str, Any] | None: ...


class Profiles(Memberships, Protocol):
    """The profile read model: programs, members' profiles and availability, memberships."""

    async def profile(
        self, tenant_id: str, program_id: str, member_id: str
    ) -> dict[str, Any] | None: ...

    async def write_availability(
        self, tenant_id: str, program_id: str, member_id: str, fields: Mapping[str, Any]
    ) -> int | None:
        """Availability fields of a live profile; returns the pool seq it claimed."""
        ...


class ProfileLog(Profiles, Protocol):
    """The profiles with the program change log replicas follow (the scoring pools)."""

    def all_programs(self) -> AsyncIterator[dict[str, Any]]: ...

    def all_profiles(self) -> AsyncIterator[dict[str, Any]]: ...

    async def pool_seq(self, tenant_id: str, program_id: str) -> int: ...

    async def pool_state(self, tenant_id: str, program_id: str) -> dict[str, Any] | None: ...

    async def changed_member(self, tenant_id: str, program_id: str, seq: int) -> str | None: ...

    def allocation(self, tenant_id: str, program_id: str, seq: int) -> int | None: ...


class ProfileWrites(Protocol):
    """What the profile projector writes from ``profile-changed`` / ``program-changed``."""

    async def put_program(self, doc: Mapping[str, Any]) -> bool:
        """Store a program version; False when it is not newer than the stored one."""
        ...

    async def profile_by_key(self, key: str) -> dict[str, Any] | None: ...

    async def write_profile(
        self, doc_id: str, fields: Mapping[str, Any], *, replace: bool = False
    ) -> int:
        """Write a profile document; returns the program change seq it claimed."""
        ...

    async def put_membership(
        self, tenant_id: str, program_id: str, user_id: str, member_id: str, roles: list[str]
    ) -> None: ...

    async def delete_membership(self, tenant_id: str, program_id: str, user_id: str) -> None: ...


class RecommendationLists(Protocol):
    """The served recommendation lists (one document per mentee), with their digests."""

    async def recommendation_digests(self) -> dict[str, str]: ...

    async def put_recommendation(
        self, key: str, doc: Mapping[str, Any], *, exists: bool = True
    ) -> None: ...

    async def delete_recommendation(self, key: str) -> None: ...


class MemberTraces(Protocol):
    """What the read models keep about a member outside the books (activity, their list)."""

    async def forget_member(self, tenant_id: str, program_id: str, member_id: str) -> None: ...


class MentorApplications(Protocol):
    """The state of each member's latest mentor application (from profiles' events)."""

    async def mentor_application(
        self, tenant_id: str, program_id: str, member_id: str
    ) -> dict[str, Any] | None: ...

    async def put_mentor_application(
        self, tenant_id: str, program_id: str, member_id: str, doc: Mapping[str, Any]
    ) -> None: ...


class MentorshipReadModel(Protocol):
    """Requests, matches, groups and per-member summaries, as the queries read them."""

    async def request(self, request_id: str) -> dict[str, Any] | None: ...

    async def match(self, match_id: str) -> dict[str, Any] | None: ...

    async def member(self, tenant_id: str, program_id: str, member_id: str) -> dict[str, Any]: ...

    async def program_groups(self, tenant_id: str, program_id: str) -> dict[str, Any]: ...

    async def put_request(self, request_id: str, doc: Mapping[str, Any]) -> None: ...

    async def put_match(self, match_id: str, doc: Mapping[str, Any]) -> None: ...

    async def put_group(
        self, tenant_id: str, program_id: str, group: Mapping[str, Any]
    ) -> None: ...

    async def put_member_entries(
        self,
        tenant_id: str,
        program_id: str,
        member_id: str,
        *,
        requests: Mapping[str, Mapping[str, Any]] = {},
        matches: Mapping[str, Mapping[str, Any]] = {},
    ) -> None: ...

    async def touch(
        self, tenant_id: str, program_id: str, member_id: str, at: datetime
    ) -> None: ...

    async def delete_request(self, request_id: str) -> None: ...

    async def open_requests(self) -> list[dict[str, Any]]: ...

    async def recommendation(
        self, tenant_id: str, program_id: str, mentee_id: str
    ) -> dict[str, Any] | None: ...


class Pools(Protocol):
    """The programs' live scoring pools (in memory), kept in step with the profiles."""

    def get(self, tenant_id: str, program_id: str) -> ProgramPool: ...

    async def refresh(self, pool: ProgramPool) -> None:
        """Apply what other replicas changed (call while holding ``pool.lock``)."""
        ...

    async def apply_own_write(
        self, tenant_id: str, program_id: str, member_id: str, seq: int | None
    ) -> None: ...

    def all(self) -> list[ProgramPool]: ...

    def changed(self) -> None:
        """Some pool changed outside the methods above: wake the recommendation writer."""
        ...


class ExpiryQueue(Protocol):
    def schedule(self, due: datetime, book: BookRef) -> None: ...


class Embedder(Protocol):
    enabled: bool

    async def embed(self, text: str) -> np.ndarray | None: ...

    async def embed_many(self, texts: list[str]) -> list[np.ndarray | None]: ...
