"""Keeps the read models (MongoDB documents, the tantivy index) in step with the event store.

Three ways in, all idempotent (every write is conditional on the aggregate version):

* **fast path**: after a successful append, the use case hands the new aggregate state
  to :meth:`Projector.member_saved` / :meth:`program_saved` (read-your-writes on the
  replica that served the request);
* **tail**: :meth:`run` follows :meth:`chassis.eventstore.EventStore.stream_heads` for
  streams it has not projected (written by another replica, or lost to a crash between
  append and projection), with an overlap window so that appends whose clock stamp is
  earlier than their commit are not missed;
* **startup replay**: :meth:`rebuild` folds every stream of the event store, fills the
  in-memory search index from scratch, and repairs MongoDB documents that lag behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from chassis.eventstore import EventStore
from chassis.repository import AggregateRepository
from profiles.adapters.readmodels import ProfilesReadModels
from profiles.adapters.search_index import IndexedMember, ProfileIndex
from profiles.domain.member import Member
from profiles.domain.membership import is_member_stream
from profiles.domain.program import Program

log = logging.getLogger("profiles.projector")


def indexed(member: Member, program: Program) -> IndexedMember:
    return IndexedMember(
        member_id=member.member_id,
        tenant_id=member.tenant_id,
        program_id=member.program_id,
        roles=member.roles,
        mentor_approved=member.mentor_approved,
        snapshot=member.profile_snapshot(program),
        version=member.version,
    )


class Projector:
    def __init__(
        self,
        store: EventStore,
        members: AggregateRepository[Member],
        programs: AggregateRepository[Program],
        read_models: ProfilesReadModels,
        index: ProfileIndex,
        *,
        poll_seconds: float = 1.0,
        overlap_seconds: float = 5.0,
    ) -> None:
        self.store = store
        self.members = members
        self.programs = programs
        self.read_models = read_models
        self.index = index
        self.poll_seconds = poll_seconds
        self.overlap = timedelta(seconds=overlap_seconds)
        self.projected: dict[str, int] = {}
        #: streams this replica is appending right now (projected by the appender)
        self.in_flight: set[str] = set()
        self.cache: dict[str, Program] = {}
        self.checkpoint: datetime | None = None
        self._wake = asyncio.Event()

    # --- fast path ---------------------------------------------------------------------

    def _index_member(self, member: Member, program: Program) -> None:
        if member.active:
            self.index.upsert(indexed(member, program))
        else:
            self.index.remove(member.member_id, member.version)

    async def member_saved(self, member: Member, program: Program) -> None:
        self._index_member(member, program)
        await self.read_models.save_member(member, program)
        self._mark(member.member_id, member.version)

    async def program_saved(self, program: Program, *, reindex_members: bool) -> None:
        self.cache[program.program_id] = program
        await self.read_models.save_program(program)
        self._mark(program.program_id, program.version)
        if reindex_members:
            await self._reproject_members_of(program)

    async def members_imported(self, members: Sequence[Member], program: Program) -> None:
        """Bulk path of imports: new members, indexed and inserted in one go."""
        for member in members:
            self._index_member(member, program)
            self._mark(member.member_id, member.version)
        for member in await self.read_models.insert_new_members(members, program):
            await self.read_models.save_member(member, program)

    @contextlib.asynccontextmanager
    async def appending(self, stream_ids: set[str]) -> AsyncIterator[None]:
        self.in_flight |= stream_ids
        try:
            yield
        finally:
            self.in_flight -= stream_ids

    def _mark(self, stream_id: str, version: int) -> None:
        if self.projected.get(stream_id, 0) < version:
            self.projected[stream_id] = version

    async def _reproject_members_of(self, program: Program) -> None:
        """A program change (fields used, custom fields) changes its members' views."""
        for member_id in await self.read_models.member_ids_of_program(program.program_id):
            member = await self.members.load(member_id)
            if member.program_id == program.program_id:
                # same version, new view: force past the version guards
                self.index.versions.pop(member_id, None)
                if member.active:
                    self.index.upsert(indexed(member, program))
                await self.read_models.replace_member_view(member, program)

    async def program(self, program_id: str) -> Program | None:
        cached = self.cache.get(program_id)
        if cached is not None:
            return cached
        program = await self.programs.load(program_id)
        if not program.exists:
            return None
        self.cache[program_id] = program
        return program

    # --- startup replay ----------------------------------------------------------------

    async def rebuild(self) -> dict[str, Any]:
        """Replay the whole event store into the read models; returns counts and timing."""
        started = time.perf_counter()
        programs: dict[str, Program] = {}
        members: dict[str, Member] = {}
        count = 0
        latest: datetime | None = None
        async for event in self.store.all_events(batch_size=5000):
            count += 1
            latest = event.recorded_at if latest is None else max(latest, event.recorded_at)
            target: Program | Member
            if is_member_stream(event.stream_id):
                target = members.setdefault(event.stream_id, Member(event.stream_id))
                target.apply(self.members.read(event))
            else:
                target = programs.setdefault(event.stream_id, Program(event.stream_id))
                target.apply(self.programs.read(event))
            target.version = event.version
        self.index.clear()
        self.cache.update(programs)
        repaired = await self._repair(programs, members)
        self.index.refresh()
        self.checkpoint = latest
        stats = {
            "events": count,
            "programs": len(programs),
            "members": len(members),
            "indexed": self.index.num_docs,
            "repaired_documents": repaired,
            "seconds": round(time.perf_counter() - started, 3),
        }
        log.info("read models rebuilt from the event store", extra=stats)
        return stats

    async def _repair(self, programs: dict[str, Program], members: dict[str, Member]) -> int:
        """Index every member; rewrite the MongoDB documents that lag behind the events."""
        program_versions = await self.read_models.versions("programs")
        member_versions = await self.read_models.versions("members")
        repaired = 0
        for program in programs.values():
            self._mark(program.program_id, program.version)
            if program_versions.get(program.program_id, 0) < program.version:
                await self.read_models.save_program(program)
                repaired += 1
        for member in members.values():
            owner = programs.get(member.program_id)
            if owner is None:
                continue
            self._index_member(member, owner)
            self._mark(member.member_id, member.version)
            if member_versions.get(member.member_id, 0) < member.version:
                await self.read_models.save_member(member, owner)
                repaired += 1
        return repaired

    # --- tail ----------------------------------------------------------------------------

    def nudge(self) -> None:
        self._wake.set()

    async def catch_up(self) -> int:
        """Project streams whose head is beyond what this replica projected."""
        since = None if self.checkpoint is None else self.checkpoint - self.overlap
        stale: dict[str, int] = {}
        latest = self.checkpoint
        async for stream_id, last, recorded_at in self.store.stream_heads(since=since):
            latest = recorded_at if latest is None else max(latest, recorded_at)
            if stream_id in self.in_flight:
                continue
            if self.projected.get(stream_id, 0) < last:
                stale[stream_id] = max(stale.get(stream_id, 0), last)
        await self._project_streams(stale)
        if latest is not None:
            self.checkpoint = latest
        return len(stale)

    async def _project_streams(self, stream_ids: Iterable[str]) -> None:
        for stream_id in sorted(stream_ids, key=is_member_stream):  # programs first
            if not is_member_stream(stream_id):
                program = await self.programs.load(stream_id)
                if program.exists:
                    await self.program_saved(program, reindex_members=False)
                continue
            member = await self.members.load(stream_id)
            owner = await self.program(member.program_id) if member.version else None
            if owner is not None:
                await self.member_saved(member, owner)

    async def run(self) -> None:
        """Tail the store. A catch-up that took ``t`` is followed by at least ``4 t`` of rest:
        on FerretDB it scans the whole commits collection, and without that bound a large
        store would spend the database on the tail instead of on requests."""
        while True:
            started = time.monotonic()
            try:
                await self.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("projector catch-up failed; retrying")
            rest = max(self.poll_seconds, 4 * (time.monotonic() - started))
            try:
                await asyncio.wait_for(self._wake.wait(), rest)
            except TimeoutError:
                pass
            self._wake.clear()
