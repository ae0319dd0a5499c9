"""Wires the profiles service: the only module that knows every other one.

Adapters first (repositories, read models, index, projector), then each use case with
the ports it needs, passed in at construction; nothing is set on an object afterwards.
The use cases go on ``app.state`` under :func:`profiles.entrypoints.deps.state_key` of
their class, where each route's dependency finds its own; the adapters go on
``app.state.profiles`` for operators' tools, benches and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

import profiles
from chassis.app import Runtime, build_runtime, create_service_app
from chassis.eventstore import EventStore
from chassis.idempotency import IdempotencyStore
from chassis.repository import AggregateRepository
from profiles.adapters.history import EventHistory, StoredDataErasure
from profiles.adapters.loads import MentorLoads
from profiles.adapters.projector import Projector
from profiles.adapters.readmodels import ProfilesReadModels
from profiles.adapters.search_index import ProfileIndex
from profiles.application import applications, importing, joining, members, privacy, programs
from profiles.application.access import Access
from profiles.application.saving import Save
from profiles.application.search import SearchMembers
from profiles.domain.member import Member
from profiles.domain.program import Program
from profiles.entrypoints import api, consumers
from profiles.entrypoints.deps import IDEMPOTENCY, state_key
from profiles.settings import ProfilesSettings


@dataclass(frozen=True)
class Adapters:
    events: EventStore
    members: AggregateRepository[Member]
    programs: AggregateRepository[Program]
    read_models: ProfilesReadModels
    index: ProfileIndex
    projector: Projector
    loads: MentorLoads
    idempotency: IdempotencyStore


def build_adapters(runtime: Runtime, settings: ProfilesSettings) -> Adapters:
    store, db, storage = runtime.events, runtime.db, runtime.storage
    member_repo = AggregateRepository(
        store, db, Member, storage=storage, snapshots="member_snapshots"
    )
    program_repo = AggregateRepository(
        store, db, Program, storage=storage, snapshots="program_snapshots"
    )
    read_models = ProfilesReadModels(db)
    index = ProfileIndex(settings.search_index_path, heap_bytes=settings.search_index_heap_bytes)
    projector = Projector(
        store,
        member_repo,
        program_repo,
        read_models,
        index,
        poll_seconds=settings.projector_poll_seconds,
        overlap_seconds=settings.projector_overlap_seconds,
    )
    return Adapters(
        events=store,
        members=member_repo,
        programs=program_repo,
        read_models=read_models,
        index=index,
        projector=projector,
        loads=MentorLoads(db),
        idempotency=IdempotencyStore(db),
    )


def build_use_cases(a: Adapters) -> list[Any]:
    """Every use case the routes call, each built once with the ports it needs."""
    access = Access(a.programs, a.members)
    save = Save(a.programs, a.members, a.projector)
    erasure = StoredDataErasure(a.events, a.idempotency)
    erase = privacy.EraseMember(save, erasure)
    return [
        programs.CreateProgram(save),
        programs.ViewProgram(access),
        programs.ChangeProgram(access, a.read_models, save),
        programs.ListPrograms(a.read_models),
        joining.JoinProgram(access, save),
        joining.InviteMember(access, save),
        importing.ImportMembers(access, a.members, a.projector),
        members.ViewMyProfile(access, a.loads),
        members.EditProfile(access, save, a.loads),
        members.ViewMember(access, a.loads),
        members.ChangeRoles(access, save),
        members.ListMembers(access, a.read_models),
        members.ListMyMemberships(a.read_models),
        applications.ApplyAsMentor(access, save),
        applications.DecideApplication(access, save),
        applications.ReadApplication(access),
        applications.ListMyApplications(access),
        SearchMembers(access, a.index, a.read_models, a.loads),
        privacy.ExportMyData(
            a.members, a.read_models, a.projector, EventHistory(a.events), a.loads
        ),
        privacy.EraseMembership(access, erase),
        privacy.EraseEverything(access, a.read_models, a.projector, erase, erasure),
    ]


def create_app(settings: ProfilesSettings | None = None) -> FastAPI:
    settings = settings or ProfilesSettings()
    runtime = build_runtime(settings)
    adapters = build_adapters(runtime, settings)
    consumers.register(runtime, adapters.loads)

    async def prepare_read_models(rt: Runtime) -> None:
        await adapters.read_models.ensure_indexes()
        await adapters.loads.ensure_indexes()
        await adapters.idempotency.ensure_indexes()
        # The search index is in memory: rebuild it (and repair lagging MongoDB read
        # models) by replaying the event store, then follow new events.
        await adapters.projector.rebuild()
        rt.start_background(adapters.index.run_committer(), "search-index-committer")
        rt.start_background(adapters.projector.run(), "projector")

    app = create_service_app(
        runtime,
        title="Profiles service",
        description=profiles.__doc__ or "",
        routers=api.routers,
        on_startup=[prepare_read_models],
    )
    for use_case in build_use_cases(adapters):
        setattr(app.state, state_key(type(use_case)), use_case)
    setattr(app.state, IDEMPOTENCY, adapters.idempotency)
    app.state.profiles = adapters
    return app
