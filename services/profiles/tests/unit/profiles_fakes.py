"""In-memory fakes of the profiles ports, for use-case tests without a database.

The repository keeps each stream as stored data (type, version, JSON) and folds it back
through the aggregate's event catalogue and upcasters on every load, so a test also
covers the stored form of the events.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from chassis.auth import Principal
from chassis.eventstore import ConcurrencyError, Publish, check_keys
from profiles.application.access import Access
from profiles.application.ports import HistoryEntry, Page, SearchFilters, SearchPage
from profiles.application.saving import Save
from profiles.domain.member import Member
from profiles.domain.program import Program

A = TypeVar("A", Member, Program)


class FakeRepository(Generic[A]):
    def __init__(self, cls: type[A]) -> None:
        self.cls = cls
        self.streams: dict[str, list[tuple[str, int, dict[str, Any]]]] = {}
        self.messages: dict[str, list[Publish]] = {}
        self.conflict_next = False  # make the next save lose a race

    async def load(self, stream_id: str) -> A:
        stored = self.streams.get(stream_id, [])
        events = [self.cls.event_types.read(t, v, d) for t, v, d in stored]
        return self.cls.from_events(stream_id, events)

    def _append(self, aggregate: A, messages: Sequence[Publish]) -> None:
        stream = self.streams.setdefault(aggregate.stream_id, [])
        if self.conflict_next or len(stream) != aggregate.loaded_version:
            self.conflict_next = False
            raise ConcurrencyError("stream moved", expected_version=aggregate.loaded_version)
        new = [(e.TYPE, e.VERSION, e.to_stored()) for e in aggregate.pending_events]
        for _, _, data in new:
            check_keys(data)  # what the real event store refuses
        stream.extend(new)
        self.messages.setdefault(aggregate.stream_id, []).extend(messages)
        aggregate.mark_saved()

    async def save(
        self, aggregate: A, *, messages: Sequence[Publish] = (), tenant_id: str | None = None
    ) -> list[Any]:
        if aggregate.pending:
            self._append(aggregate, messages)
        return []

    async def save_new(
        self,
        aggregates: Sequence[A],
        *,
        messages: Callable[[A], Sequence[Publish]],
        tenant_id: str,
    ) -> list[A]:
        existed = [a for a in aggregates if self.streams.get(a.stream_id)]
        for aggregate in aggregates:
            if aggregate not in existed:
                self._append(aggregate, messages(aggregate))
        return existed

    def topics(self, stream_id: str) -> list[str]:
        return [m.payload.TOPIC for m in self.messages.get(stream_id, [])]


class FakeReadModels:
    def __init__(self) -> None:
        self.members: dict[str, dict[str, Any]] = {}

    def put(self, member: Member, program: Program) -> None:
        self.members[member.member_id] = {
            "_id": member.member_id,
            "tenant_id": member.tenant_id,
            "program_id": member.program_id,
            "user_id": member.user_id,
            "organization_id": member.organization_id,
            "status": member.status,
            "roles": member.roles,
            "mentor_approved": member.mentor_approved,
            "views": {
                "member": member.fields_for("member", program),
                "matched": member.fields_for("matched", program),
            }
            if member.active
            else None,
        }

    async def list_programs(self, *args: Any, **kwargs: Any) -> Page:
        return [], None

    async def list_members(
        self, tenant_id: str, program_id: str, *, cursor: str | None, limit: int, **_: Any
    ) -> Page:
        docs = [
            d
            for d in self.members.values()
            if d["program_id"] == program_id and d["status"] == "active"
        ]
        return docs[:limit], None

    async def memberships_of(self, tenant_id: str, user_id: str) -> list[dict[str, Any]]:
        return [
            d
            for d in self.members.values()
            if d["tenant_id"] == tenant_id and d["user_id"] == user_id
        ]

    async def members_by_id(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        return {i: self.members[i] for i in ids if i in self.members}

    async def has_members(self, program_id: str) -> bool:
        return any(d["program_id"] == program_id for d in self.members.values())


class FakeProjection:
    def __init__(self, read_models: FakeReadModels, programs: FakeRepository[Program]) -> None:
        self.read_models = read_models
        self.programs = programs
        self.reindexed: list[str] = []
        self.appending_now: set[str] = set()

    async def member_saved(self, member: Member, program: Program) -> None:
        self.read_models.put(member, program)

    async def program_saved(self, program: Program, *, reindex_members: bool) -> None:
        if reindex_members:
            self.reindexed.append(program.program_id)

    async def members_imported(self, members: Sequence[Member], program: Program) -> None:
        assert {m.member_id for m in members} <= self.appending_now
        for member in members:
            self.read_models.put(member, program)

    @contextlib.asynccontextmanager
    async def appending(self, stream_ids: set[str]) -> AsyncIterator[None]:
        self.appending_now = set(stream_ids)
        yield
        self.appending_now = set()

    async def program(self, program_id: str) -> Program | None:
        program = await self.programs.load(program_id)
        return program if program.exists else None


class FakeLoads:
    def __init__(self) -> None:
        self.matches: list[tuple[str, str]] = []  # (mentor, mentee)

    async def load_of(self, member_ids: list[str]) -> dict[str, int]:
        return {i: sum(1 for mentor, _ in self.matches if mentor == i) for i in member_ids}

    async def matched(self, a: str, b: str) -> bool:
        return (a, b) in self.matches or (b, a) in self.matches

    async def partners_of(self, member_id: str, candidates: list[str]) -> set[str]:
        return {c for c in candidates if await self.matched(member_id, c)}


class FakeIndex:
    def __init__(self) -> None:
        self.hits: list[tuple[str, float]] = []
        self.last_filters: SearchFilters | None = None

    def search(
        self,
        tenant_id: str,
        program_id: str,
        text: str | None,
        filters: SearchFilters,
        *,
        limit: int = 20,
        cursor: str | None = None,
    ) -> SearchPage:
        self.last_filters = filters
        return SearchPage(self.hits[:limit], len(self.hits), None)


class FakeHistory:
    def __init__(self, members: FakeRepository[Member]) -> None:
        self.members = members

    async def of(self, stream_id: str) -> list[HistoryEntry]:
        at = datetime(2025, 1, 1, tzinfo=UTC)
        return [
            HistoryEntry(n, t, at)
            for n, (t, _, _) in enumerate(self.members.streams.get(stream_id, []), 1)
        ]


class FakeErasure:
    def __init__(self) -> None:
        self.redacted: list[str] = []
        self.forgotten: list[tuple[str, str]] = []

    async def redact_history(self, member_id: str) -> None:
        self.redacted.append(member_id)

    async def forget_requests(self, tenant_id: str, user_id: str) -> None:
        self.forgotten.append((tenant_id, user_id))


class World:
    """Every fake, wired the way :mod:`profiles.bootstrap` wires the real adapters."""

    def __init__(self) -> None:
        self.programs = FakeRepository(Program)
        self.members = FakeRepository(Member)
        self.read_models = FakeReadModels()
        self.projection = FakeProjection(self.read_models, self.programs)
        self.loads = FakeLoads()
        self.index = FakeIndex()
        self.history = FakeHistory(self.members)
        self.erasure = FakeErasure()
        self.access = Access(self.programs, self.members)
        self.save = Save(self.programs, self.members, self.projection)


def principal(user: str, *roles: str, org: str = "acme", tenant: str = "t1") -> Principal:
    return Principal(user, tenant, org, frozenset(roles), name=user.title())


ADMIN = principal("boss", "org_admin")
