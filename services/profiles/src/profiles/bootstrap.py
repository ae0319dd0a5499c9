"""Wires the profiles service: the only module that knows every other one."""

from fastapi import FastAPI

import profiles
from chassis.app import Runtime, build_runtime, create_service_app
from chassis.idempotency import IdempotencyStore
from profiles.adapters.aggregates import Aggregates
from profiles.adapters.loads import MentorLoads
from profiles.adapters.projector import Projector
from profiles.adapters.readmodels import ReadModels
from profiles.adapters.search_index import ProfileIndex
from profiles.application.service import ProfilesService
from profiles.entrypoints import api, consumers
from profiles.settings import ProfilesSettings


def build_service(runtime: Runtime, settings: ProfilesSettings) -> ProfilesService:
    read_models = ReadModels(runtime.db)
    aggregates = Aggregates(runtime.events, runtime.db)
    index = ProfileIndex(settings.search_index_path, heap_bytes=settings.search_index_heap_bytes)
    projector = Projector(
        runtime.events,
        read_models,
        index,
        aggregates,
        poll_seconds=settings.projector_poll_seconds,
        overlap_seconds=settings.projector_overlap_seconds,
    )
    return ProfilesService(
        events=runtime.events,
        read_models=read_models,
        index=index,
        projector=projector,
        loads=MentorLoads(runtime.db),
        idempotency=IdempotencyStore(runtime.db),
        aggregates=aggregates,
    )


def create_app(settings: ProfilesSettings | None = None) -> FastAPI:
    settings = settings or ProfilesSettings()
    runtime = build_runtime(settings)
    service = build_service(runtime, settings)
    consumers.register(runtime, service.loads)

    async def prepare_read_models(rt: Runtime) -> None:
        await service.read_models.ensure_indexes()
        await service.loads.ensure_indexes()
        await service.idempotency.ensure_indexes()
        # The search index is in memory: rebuild it (and repair lagging MongoDB read
        # models) by replaying the event store, then follow new events.
        await service.projector.rebuild()
        rt.start_background(service.index.run_committer(), "search-index-committer")
        rt.start_background(service.projector.run(), "projector")

    app = create_service_app(
        runtime,
        title="Profiles service",
        description=profiles.__doc__ or "",
        routers=[api.router],
        on_startup=[prepare_read_models],
    )
    app.state.profiles = service
    return app
