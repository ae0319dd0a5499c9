"""Wires the profiles service: the only module that knows every other one.

Adapters first (repositories, read models, index, projector), then each use case with
the ports it needs, passed in at construction; nothing is set on an object afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from profiles.application.service import ProfilesService
from profiles.domain.member import Member
from profiles.domain.program import Program
from profiles.entrypoints import api, consumers
from profiles.settings import ProfilesSettings


@dataclass(frozen=True)
class Adapters:
    store: EventStore
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
        store=store,
        members=member_repo,
        programs=program_repo,
        read_models=read_models,
        index=index,
        projector=projector,
        loads=MentorLoads(db),
        idempotency=IdempotencyStore(db),
    )


def build_service(a: Adapters) -> ProfilesService:
    access = Access(a.programs, a.members)
    save = Save(a.programs, a.members, a.projector)
    erasure = StoredDataErasure(a.store, a.idempotency)
    erase = privacy.EraseMember(save, erasure)
    return ProfilesService(
        create_program=programs.CreateProgram(save),
        update_program=programs.ChangeProgram(access, a.read_models, save),
        list_programs=programs.ListPrograms(a.read_models),
        program_for=access.program_for,
        join=joining.JoinProgram(access, save),
        invite=joining.InviteMember(access, save),
        import_members=importing.ImportMembers(access, a.members, a.projector),
        my_membership=access.my_membership,
        edit_my_profile=members.EditProfile(access, save),
        view_member=members.ViewMember(access, a.loads),
        change_roles=members.ChangeRoles(access, save),
        list_members=members.ListMembers(access, a.read_models),
        apply_to_mentor=applications.ApplyAsMentor(access, save),
        decide_application=applications.DecideApplication(access, save),
        application=applications.ReadApplication(access),
        search=SearchMembers(access, a.index, a.read_models, a.loads),
        export=privacy.ExportMyData(
            a.members, a.read_models, a.projector, EventHistory(a.store), a.loads
        ),
        erase_membership=privacy.EraseMembership(access, erase),
        erase_everything=privacy.EraseEverything(
            access, a.read_models, a.projector, erase, erasure
        ),
        events=a.store,
        idempotency=a.idempotency,
        loads=a.loads,
        read_models=a.read_models,
        index=a.index,
        projector=a.projector,
    )


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
        routers=[api.router],
        on_startup=[prepare_read_models],
    )
    app.state.profiles = build_service(adapters)
    return app
