"""Wires the matching service: the only module that knows every other one."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

import matching
from chassis.app import Runtime, build_runtime, create_service_app
from chassis.idempotency import IdempotencyStore
from matching.adapters.blas import set_blas_threads
from matching.adapters.desks import DeskRepository
from matching.adapters.embedder import Embedder
from matching.adapters.projections import ProjectionStore
from matching.adapters.readmodels import ReadModels
from matching.adapters.rounds import RoundRepository
from matching.application.access import Access
from matching.application.expiry import ExpirySchedule
from matching.application.mentorships import Mentorships
from matching.application.pools import Pools
from matching.application.projection import ProfileProjection
from matching.application.recommendations import RecommendationWriter
from matching.application.rounds import Rounds
from matching.application.service import Clock, MatchingService
from matching.entrypoints import api, consumers
from matching.settings import MatchingSettings

log = logging.getLogger("matching.bootstrap")


def build_service(runtime: Runtime, settings: MatchingSettings) -> MatchingService:
    clock = Clock()
    store = ProjectionStore(runtime.db, partitions=settings.collection_partitions)
    read_models = ReadModels(runtime.db, partitions=settings.collection_partitions)
    access = Access(store)
    embedder = Embedder(enabled=settings.embeddings_enabled, model_dir=settings.embedding_model_dir)
    pools = Pools(
        store,
        served=settings.recommendations_served,
        depth=settings.recommendations_depth,
        changelog_grace_seconds=settings.pool_changelog_grace_seconds,
        clock=clock,
    )
    writer = RecommendationWriter(
        pools,
        read_models,
        flush_seconds=settings.recommendation_flush_seconds,
        concurrency=settings.recommendation_write_concurrency,
    )
    schedule = ExpirySchedule(
        clock=clock,
        sweep_seconds=settings.expiry_sweep_seconds,
        rescan_seconds=settings.expiry_rescan_seconds,
    )
    mentorships = Mentorships(
        desks=DeskRepository(runtime.events, runtime.db),
        store=store,
        read_models=read_models,
        pools=pools,
        access=access,
        schedule=schedule,
        clock=clock,
        next_best_count=settings.next_best_count,
        max_open_requests=settings.max_open_requests_per_mentee,
        auto_pause_after_unanswered=settings.auto_pause_after_unanswered,
    )
    projection = ProfileProjection(store, read_models, pools, embedder, clock)
    projection.member_left = mentorships.member_left
    rounds = Rounds(
        repository=RoundRepository(runtime.events, runtime.db),
        store=store,
        read_models=read_models,
        pools=pools,
        access=access,
        mentorships=mentorships,
        clock=clock,
    )
    return MatchingService(
        store=store,
        read_models=read_models,
        pools=pools,
        embedder=embedder,
        projection=projection,
        writer=writer,
        mentorships=mentorships,
        rounds=rounds,
        schedule=schedule,
        access=access,
        idempotency=IdempotencyStore(runtime.db),
        clock=clock,
    )


async def prune_pool_changes(service: MatchingService, every_seconds: float = 3600) -> None:
    """Replicas need a change-log entry for seconds; a restart reloads everything anyway."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            await service.store.prune_changes(datetime.now(UTC) - timedelta(hours=1))
        except Exception:
            log.exception("pruning the pool change log failed")


def create_app(settings: MatchingSettings | None = None) -> FastAPI:
    settings = settings or MatchingSettings()
    set_blas_threads(settings.blas_threads)
    runtime = build_runtime(settings)
    service = build_service(runtime, settings)
    consumers.register(runtime, service)

    async def prepare(rt: Runtime) -> None:
        await service.store.ensure_indexes()
        await service.read_models.ensure_indexes()
        await service.idempotency.ensure_indexes()
        await service.embedder.warm_up()
        # The scoring pools are in memory: rebuild them from the projection, then follow
        # the topics (consumers start after this hook).
        await service.writer.load_digests()
        await service.pools.load_all(service.embedder)
        await service.schedule.reload()
        rt.start_background(service.writer.run(), "recommendation-writer")
        rt.start_background(service.schedule.run(), "request-expiry")
        rt.start_background(prune_pool_changes(service), "pool-change-pruning")

    app = create_service_app(
        runtime,
        title="Matching service",
        description=matching.__doc__ or "",
        routers=[api.router],
        on_startup=[prepare],
    )
    app.state.matching = service
    return app
