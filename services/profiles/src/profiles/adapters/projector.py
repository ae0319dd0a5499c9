"""Keeps the read models (MongoDB and the tantivy index) in step with the event store.

Three ways in, all idempotent (every write is conditional on the aggregate version):

* **fast path**: after a successful append, the application hands the new aggregate state
  to :meth:`Projector.project_member` / :meth:`project_program` (read-your-writes on the
  replica that served the request);
* **tail**: :meth:`run` polls the event store for events it has not projected (written by
  another replica, or lost to a crash between append and projection), with an overlap
  window so that appends whose clock stamp is earlier than their commit are not missed;
* **startup replay**: :meth:`rebuild` folds every stream of the event store, fills the
  in-memory search index from scratch, and repairs MongoDB documents that lag behind.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING

from chassis.eventstore import EventStore, StoredEvent
from profiles.adapters.aggregates import Aggregates
from profiles.adapters.readmodels import ReadModels
from profiles.adapters.search_index import IndexedMember, ProfileIndex
from profiles.domain import program as program_events
from profiles.domain.member import Member
from profiles.domain.program import Program

log = logging.getLogger("profiles.projector")

PROGRAM_TYPES = {program_events.PROGRAM_CREATED, program_events.PROGRAM_RECONFIGURED}


def indexed(member: Member, program: Program) -> IndexedMember:
    return IndexedMember(
        member_id=member.member_id,
        tenant_id=member.tenant_id,
        program_id=member.program_id,
        roles=member.roles,
        mentor_approved=member.mentor_approved,
        snapshot=member.snapshot(program),
        version=member.version,
    )


class Projector:
    def __init__(
        self,
        store: EventStore,
        read_models: ReadModels,
        index: ProfileIndex,
        aggregates: Aggregates,
        *,
        poll_seconds: float = 1.0,
        overlap_seconds: float = 5.0,
    ) -> None:
        self.store = store
        self.read_models = read_models
        self.index = index
        self.aggregates = aggregates
        self.poll_seconds = poll_seconds
        self.overlap = timedelta(seconds=overlap_seconds)
        self.projected: dict[str, int] = {}
        #: streams this replica is appending right now (projected by the appender)
        self.in_flight: set[str] = set()
        self.programs: dict[str, Program] = {}
        self.checkpoint: datetime | None = None
        self._wake = asyncio.Event()

    # --- fast path ---------------------------------------------------------------------

    def index_member(self, member: Member, program: Program) -> None:
        if member.active:
            self.index.upsert(indexed(member, program))
        else:
            self.index.remove(member.member_id, member.version)

    async def project_member(self, member: Member, program: Program) -> None:
        self.index_member(member, program)
        await self.aggregates.save(member)
        await self.read_models.save_member(member, program)
        self._mark(member.member_id, member.version)

    async def project_program(self, program: Program, *, reindex_members: bool) -> None:
        self.programs[program.program_id] = program
        await self.aggregates.save(program)
        await self.read_models.save_program(program)
        self._mark(program.program_id, program.version)
        if reindex_members:
            await self._reproject_members_of(program)

    def _mark(self, stream_id: str, version: int) -> None:
        if self.projected.get(stream_id, 0) < version:
            self.projected[stream_id] = version

    async def _reproject_members_of(self, program: Program) -> None:
        """A program change (fields used, custom fields) changes its members' views."""
        for member_id in await self.read_models.member_ids_of_program(program.program_id):
            member = await self.aggregates.load(Member, member_id)
            if member.program_id == program.program_id:
                # same version, new view: force past the version guards
                self.index.versions.pop(member_id, None)
                if member.active:
                    self.index.upsert(indexed(member, program))
                await self.read_models.members.update_one(
                    {"_id": member_id},
                    {"$set": {"source_version": 0}},
                )
                await self.read_models.save_member(member, program)

    async def program(self, program_id: str) -> Program | None:
        cached = self.programs.get(program_id)
        if cached is not None:
            return cached
        program = await self.aggregates.load(Program, program_id)
        if not program.exists:
            program = await self.aggregates.load_from_events(Program, program_id)
        if not program.exists:
            return None
        self.programs[program_id] = program
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
            self._fold(event, programs, members)
        self.index.clear()
        self.programs.update(programs)
        program_versions = await self.read_models.versions("programs")
        member_versions = await self.read_models.versions("members")
        snapshot_versions = await self.aggregates.versions()
        repaired = 0
        for program in programs.values():
            self._mark(program.program_id, program.version)
            if program_versions.get(program.program_id, 0) < program.version:
                await self.read_models.save_program(program)
                repaired += 1
            if snapshot_versions.get(program.program_id, 0) < program.version:
                await self.aggregates.save(program)
                repaired += 1
        for member in members.values():
            owner = programs.get(member.program_id)
            if owner is None:
                continue
            self.index_member(member, owner)
            self._mark(member.member_id, member.version)
            if member_versions.get(member.member_id, 0) < member.version:
                await self.read_models.save_member(member, owner)
                repaired += 1
            if snapshot_versions.get(member.member_id, 0) < member.version:
                await self.aggregates.save(member)
                repaired += 1
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

    @staticmethod
    def _fold(event: StoredEvent, programs: dict[str, Program], members: dict[str, Member]) -> None:
        target: Program | Member
        if event.type in PROGRAM_TYPES:
            target = programs.setdefault(event.stream_id, Program(event.stream_id))
        else:
            target = members.setdefault(event.stream_id, Member(event.stream_id))
        target.apply(event.type, event.data)
        target.version = event.version

    # --- tail ----------------------------------------------------------------------------

    def nudge(self) -> None:
        self._wake.set()

    async def catch_up(self) -> int:
        """Project streams that have events beyond what this replica projected."""
        query: dict[str, Any] = {}
        if self.checkpoint is not None:
            query["recorded_at"] = {"$gte": self.checkpoint - self.overlap}
        stale: dict[str, int] = {}
        latest = self.checkpoint
        async for doc in self.store.collection.find(
            query, {"stream_id": 1, "version": 1, "recorded_at": 1}
        ).sort("recorded_at", ASCENDING):
            latest = doc["recorded_at"] if latest is None else max(latest, doc["recorded_at"])
            if doc["stream_id"] in self.in_flight:
                continue
            if self.projected.get(doc["stream_id"], 0) < doc["version"]:
                stale[doc["stream_id"]] = max(stale.get(doc["stream_id"], 0), doc["version"])
        await self._project_streams(stale)
        if latest is not None:
            self.checkpoint = latest
        return len(stale)

    async def _project_streams(self, stream_ids: Iterable[str]) -> None:
        for stream_id in sorted(stream_ids, key=lambda s: not s.startswith("p")):
            events = await self.store.load(stream_id)
            if not events:
                continue
            if events[0].type in PROGRAM_TYPES:
                program = Program.rehydrate(stream_id, events)
                await self.project_program(program, reindex_members=False)
            else:
                member = Member.rehydrate(stream_id, events)
                owner = await self.program(member.program_id)
                if owner is not None:
                    await self.project_member(member, owner)

    async def run(self) -> None:
        """Tail the store. A catch-up that took ``t`` is followed by at least ``4 t`` of rest:
        on FerretDB it scans the whole events collection, and without that bound a large
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
