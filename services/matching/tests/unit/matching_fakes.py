"""In-memory fakes of the matching ports (``matching.application.ports``), for use-case
tests without a database. Each keeps what a MongoDB adapter would store, as plain dicts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from datetime import datetime
from typing import Any

from chassis.domain import DomainEvent
from chassis.eventstore import ConcurrencyError
from matching.domain.member_profiles import member_key
from matching.domain.mentor_book import MentorBook
from matching.domain.pool import ProgramPool


class FakeBooks:
    """Streams of typed events; a save at a stale version is a ConcurrencyError."""

    def __init__(self) -> None:
        self.streams: dict[str, list[DomainEvent]] = {}
        self.redacted: dict[str, set[str]] = {}
        self.conflicts_left = 0  # the next saves that lose a race (another replica wrote)

    async def load(self, stream_id: str) -> MentorBook:
        return MentorBook.from_events(stream_id, list(self.streams.get(stream_id, [])))

    async def moved_past(self, stream_id: str, version: int) -> bool:
        return len(self.streams.get(stream_id, [])) > version

    async def save(self, book: MentorBook) -> list[DomainEvent]:
        stored = self.streams.setdefault(book.stream_id, [])
        if self.conflicts_left:
            self.conflicts_left -= 1
            raise ConcurrencyError("the stream moved")
        if len(stored) != book.loaded_version:
            raise ConcurrencyError("the stream moved")
        pending = book.pending_events
        stored += pending
        book.mark_saved()
        return pending

    async def forget_texts(self, stream_id: str, request_ids: Collection[str]) -> int:
        self.redacted.setdefault(stream_id, set()).update(request_ids)
        return len(request_ids)

    async def all_books(self) -> AsyncIterator[tuple[MentorBook, list[DomainEvent]]]:
        for stream_id, events in self.streams.items():
            yield MentorBook.from_events(stream_id, events), list(events)

    async def write_snapshot(self, book: MentorBook) -> None:
        pass


class FakeProfiles:
    def __init__(self) -> None:
        self.programs: dict[tuple[str, str], dict[str, Any]] = {}
        self.profiles: dict[str, dict[str, Any]] = {}
        self.memberships: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.seq = 0

    def add_program(self, tenant_id: str, program_id: str, **config: Any) -> None:
        base = {"modes": ["one_to_one", "group"], "request_response_hours": 72}
        self.programs[(tenant_id, program_id)] = {
            "tenant_id": tenant_id,
            "program_id": program_id,
            "program_version": 1,
            "config": {**base, "organization_id": tenant_id, "default_capacity": 2, **config},
        }

    def add_member(
        self, tenant_id: str, program_id: str, member_id: str, roles: list[str], **snapshot: Any
    ) -> None:
        user_id = f"user-{member_id}"
        self.profiles[member_key(tenant_id, program_id, member_id)] = {
            "tenant_id": tenant_id,
            "program_id": program_id,
            "member_id": member_id,
            "user_id": user_id,
            "organization_id": tenant_id,
            "roles": roles,
            "mentor_approved": "mentor" in roles,
            "snapshot": {"accepting_mentees": "mentor" in roles, **snapshot},
        }
        self.memberships[(tenant_id, program_id, user_id)] = {
            "member_id": member_id,
            "roles": roles,
        }

    async def program(self, tenant_id: str, program_id: str) -> dict[str, Any] | None:
        return self.programs.get((tenant_id, program_id))

    async def profile(
        self, tenant_id: str, program_id: str, member_id: str
    ) -> dict[str, Any] | None:
        return self.profiles.get(member_key(tenant_id, program_id, member_id))

    async def membership(
        self, tenant_id: str, program_id: str, user_id: str
    ) -> dict[str, Any] | None:
        return self.memberships.get((tenant_id, program_id, user_id))

    async def write_availability(
        self, tenant_id: str, program_id: str, member_id: str, fields: Mapping[str, Any]
    ) -> int | None:
        doc = self.profiles.get(member_key(tenant_id, program_id, member_id))
        if doc is None:
            return None
        doc.update(fields)
        self.seq += 1
        return self.seq


class FakeReadModels:
    def __init__(self) -> None:
        self.requests: dict[str, dict[str, Any]] = {}
        self.matches: dict[str, dict[str, Any]] = {}
        self.members: dict[str, dict[str, Any]] = {}
        self.groups: dict[tuple[str, str], dict[str, Any]] = {}

    async def request(self, request_id: str) -> dict[str, Any] | None:
        return self.requests.get(request_id)

    async def match(self, match_id: str) -> dict[str, Any] | None:
        return self.matches.get(match_id)

    async def member(self, tenant_id: str, program_id: str, member_id: str) -> dict[str, Any]:
        return self.members.get(member_key(tenant_id, program_id, member_id), {})

    async def program_groups(self, tenant_id: str, program_id: str) -> dict[str, Any]:
        return self.groups.get((tenant_id, program_id), {})

    async def put_request(self, request_id: str, doc: Mapping[str, Any]) -> None:
        self.requests[request_id] = dict(doc)

    async def put_match(self, match_id: str, doc: Mapping[str, Any]) -> None:
        self.matches[match_id] = dict(doc)

    async def put_group(self, tenant_id: str, program_id: str, group: Mapping[str, Any]) -> None:
        self.groups.setdefault((tenant_id, program_id), {})[group["group_id"]] = dict(group)

    async def put_member_entries(
        self,
        tenant_id: str,
        program_id: str,
        member_id: str,
        *,
        requests: Mapping[str, Mapping[str, Any]] = {},
        matches: Mapping[str, Mapping[str, Any]] = {},
    ) -> None:
        doc = self.members.setdefault(member_key(tenant_id, program_id, member_id), {})
        doc.setdefault("requests", {}).update({k: dict(v) for k, v in requests.items()})
        doc.setdefault("matches", {}).update({k: dict(v) for k, v in matches.items()})

    async def touch(self, tenant_id: str, program_id: str, member_id: str, at: datetime) -> None:
        self.members.setdefault(member_key(tenant_id, program_id, member_id), {})[
            "last_active_at"
        ] = at

    async def delete_request(self, request_id: str) -> None:
        self.requests.pop(request_id, None)

    async def open_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests.values() if r["status"] in ("open", "info_requested")]

    async def recommendation(
        self, tenant_id: str, program_id: str, mentee_id: str
    ) -> dict[str, Any] | None:
        return None


class FakePools:
    """Empty pools (no scoring): pair rules and scores are then unknown, as for members a
    pool has not seen yet."""

    def __init__(self) -> None:
        self.pools: dict[tuple[str, str], ProgramPool] = {}
        self.own_writes: list[tuple[str, str, str, int | None]] = []
        self.changes = 0

    def get(self, tenant_id: str, program_id: str) -> ProgramPool:
        return self.pools.setdefault(
            (tenant_id, program_id), ProgramPool(tenant_id, program_id, served=10, depth=25)
        )

    async def refresh(self, pool: ProgramPool) -> None:
        pass

    async def apply_own_write(
        self, tenant_id: str, program_id: str, member_id: str, seq: int | None
    ) -> None:
        self.own_writes.append((tenant_id, program_id, member_id, seq))

    def all(self) -> list[ProgramPool]:
        return list(self.pools.values())

    def changed(self) -> None:
        self.changes += 1


class FakeQueue:
    def __init__(self) -> None:
        self.due: list[tuple[datetime, tuple[str, str, str]]] = []

    def schedule(self, due: datetime, book: tuple[str, str, str]) -> None:
        self.due.append((due, book))
