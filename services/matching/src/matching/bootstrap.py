"""Wires the matching service: the only module that knows every other one.

Read top to bottom, it is the flow: stores, pools (which wake the recommendation writer),
the mentor's-book projector, the one way books change, then every use case, the profile
projector (which calls the erasure use case) and the expiry sweeper (which calls the
expiry use case). Nothing sets another object's attributes after construction.
"""

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI

import matching
from chassis.app import Runtime, build_runtime, create_service_app
from chassis.idempotency import IdempotencyStore
from chassis.storage import StorageProfile
from matching.adapters.blas import set_blas_threads
from matching.adapters.embedder import Embedder
from matching.adapters.mentor_books import MentorBookRepository
from matching.adapters.profile_store import ProfileStore
from matching.adapters.read_models import MatchingReadModels
from matching.adapters.rounds import RoundRepository
from matching.application import answer_request as answer
from matching.application import mentor_changes
from matching.application.access import Access
from matching.application.book_changes import MentorBookChanges
from matching.application.book_projector import MentorBookProjector
from matching.application.erasure import RemoveDepartedMember
from matching.application.expiry import ExpiryQueue, ExpirySweeper
from matching.application.lookups import Lookups
from matching.application.mentor_applications import MentorApplicationProjector
from matching.application.mentorship_queries import MentorshipQueries
from matching.application.next_best import NextBestMentors
from matching.application.profile_projector import ProfileProjector
from matching.application.rebuild import RebuildReadModels
from matching.application.recommendation_queries import RecommendationQueries
from matching.application.recommendations import ListsChanged, RecommendationWriter
from matching.application.request_mentorship import JoinGroup, RequestMentorship
from matching.application.rounds import BulkRounds
from matching.application.scoring_pools import ScoringPools
from matching.application.service import Clock, MatchingService
from matching.application.time_passing import DueBooks, ExpireDue
from matching.entrypoints import api, consumers
from matching.settings import MatchingSettings

log = logging.getLogger("matching.bootstrap")


def storage_of(runtime: Runtime, settings: MatchingSettings) -> StorageProfile:
    """The runtime's storage profile, with the partition count overridden if set."""
    if settings.collection_partitions is None:
        return runtime.storage
    return StorageProfile.named(runtime.storage.name, partitions=settings.collection_partitions)


def build_service(runtime: Runtime, settings: MatchingSettings) -> MatchingService:
    clock = Clock()
    storage = storage_of(runtime, settings)
    store = ProfileStore(runtime.db, storage=storage)
    read_models = MatchingReadModels(runtime.db, storage=storage)
    books = MentorBookRepository(runtime.events, runtime.db, storage=storage)
    access = Access(store)
    embedder = Embedder(enabled=settings.embeddings_enabled, model_dir=settings.embedding_model_dir)
    pools, writer = _scoring(store, read_models, clock, settings)
    queue = ExpiryQueue()
    next_best = NextBestMentors(
        read_models=read_models, pools=pools, count=settings.next_best_count
    )
    projector = MentorBookProjector(
        read_models=read_models, profiles=store, pools=pools, expiry=queue, next_best=next_best
    )
    changes = MentorBookChanges(books, projector)
    lookups = Lookups(profiles=store, read_models=read_models, access=access, clock=clock)
    departed = RemoveDepartedMember(
        changes=changes, books=books, read_models=read_models, clock=clock
    )
    expire = ExpireDue(
        changes=changes,
        clock=clock,
        auto_pause_after_unanswered=settings.auto_pause_after_unanswered,
    )
    return MatchingService(
        **_lifecycle(changes, lookups, read_models, pools, settings),
        rounds=BulkRounds(
            repository=RoundRepository(runtime.events, runtime.db, storage=storage),
            store=store,
            read_models=read_models,
            pools=pools,
            access=access,
            changes=changes,
            clock=clock,
        ),
        rebuild_read_models=RebuildReadModels(books=books, projector=projector),
        mentorships=MentorshipQueries(lookups=lookups, read_models=read_models, profiles=store),
        recommendations=RecommendationQueries(
            read_models=read_models, applications=read_models, pools=pools, access=access
        ),
        **_projectors(store, read_models, pools, embedder, clock, departed),
        writer=writer,
        expiry=ExpirySweeper(
            queue,
            check=expire,
            rescan=DueBooks(read_models=read_models, pools=pools),
            clock=clock,
            sweep_seconds=settings.expiry_sweep_seconds,
            rescan_seconds=settings.expiry_rescan_seconds,
        ),
        store=store,
        read_models=read_models,
        books=books,
        pools=pools,
        embedder=embedder,
        idempotency=IdempotencyStore(runtime.db),
        clock=clock,
    )


def _projectors(
    store: ProfileStore,
    read_models: MatchingReadModels,
    pools: ScoringPools,
    embedder: Embedder,
    clock: Clock,
    departed: RemoveDepartedMember,
) -> dict[str, Any]:
    """What the consumers hand events to: profiles and programs, mentor applications."""
    return {
        "projector": ProfileProjector(
            store=store,
            read_models=read_models,
            pools=pools,
            embedder=embedder,
            clock=clock,
            member_left=departed,
        ),
        "applications": MentorApplicationProjector(applications=read_models),
    }


def _scoring(
    store: ProfileStore, read_models: MatchingReadModels, clock: Clock, settings: MatchingSettings
) -> tuple[ScoringPools, RecommendationWriter]:
    """The scoring pools and the writer they wake when lists change."""
    lists_changed = ListsChanged()
    pools = ScoringPools(
        store,
        served=settings.recommendations_served,
        depth=settings.recommendations_depth,
        changelog_grace_seconds=settings.pool_changelog_grace_seconds,
        clock=clock,
        on_change=lists_changed.notify,
    )
    writer = RecommendationWriter(
        pools,
        read_models,
        lists_changed,
        flush_seconds=settings.recommendation_flush_seconds,
        concurrency=settings.recommendation_write_concurrency,
    )
    return pools, writer


def _lifecycle(
    changes: MentorBookChanges,
    lookups: Lookups,
    read_models: MatchingReadModels,
    pools: ScoringPools,
    settings: MatchingSettings,
) -> dict[str, Any]:
    """The mentorship commands: one use case each, all changing books through ``changes``."""
    request = RequestMentorship(
        changes=changes,
        lookups=lookups,
        read_models=read_models,
        pools=pools,
        max_open_requests=settings.max_open_requests_per_mentee,
    )
    return {
        "request_mentorship": request,
        "join_group": JoinGroup(request=request, read_models=read_models),
        "accept_request": answer.AcceptRequest(changes=changes, lookups=lookups, pools=pools),
        "decline_request": answer.DeclineRequest(changes=changes, lookups=lookups),
        "ask_for_info": answer.AskForInfo(changes=changes, lookups=lookups),
        "provide_info": answer.ProvideInfo(changes=changes, lookups=lookups),
        "withdraw_request": answer.WithdrawRequest(changes=changes, lookups=lookups),
        "end_mentorship": mentor_changes.EndMentorship(changes=changes, lookups=lookups),
        "pause_mentor": mentor_changes.PauseMentor(changes=changes, lookups=lookups),
        "resume_mentor": mentor_changes.ResumeMentor(changes=changes, lookups=lookups),
        "open_group": mentor_changes.OpenGroup(
            changes=changes, lookups=lookups, read_models=read_models
        ),
    }


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
        # The scoring pools are in memory: rebuild them from the profiles, then follow
        # the topics (consumers start after this hook).
        await service.writer.load_digests()
        await service.pools.load_all(service.embedder)
        await service.expiry.reload()
        rt.start_background(service.writer.run(), "recommendation-writer")
        rt.start_background(service.expiry.run(), "request-expiry")
        rt.start_background(prune_pool_changes(service), "pool-change-pruning")

    app = create_service_app(
        runtime,
        title="Matching service",
        description=matching.__doc__ or "",
        routers=api.routers,
        on_startup=[prepare],
    )
    app.state.matching = service
    return app
