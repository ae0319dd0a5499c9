"""Wires the knowledge service: the only module that knows every other one.

Adapters first (entry repository, directory, read models, search index, embedder,
projector), then each use case with the ports it needs; the use cases go on
``app.state.knowledge`` for the routes, the adapters on ``app.state.adapters`` for
benches and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

import knowledge
from chassis.app import Runtime, build_runtime, create_service_app
from chassis.eventstore import EventStore
from chassis.repository import AggregateRepository
from knowledge.adapters.directory import Directory
from knowledge.adapters.embeddings import Embedder
from knowledge.adapters.library_index import LibraryIndex
from knowledge.adapters.projector import Projector
from knowledge.adapters.read_models import EntryDocuments
from knowledge.application.access import LibraryAccess
from knowledge.application.coverage import Coverage
from knowledge.application.drafts import PrepareDraft
from knowledge.application.library import EntryView, Library, Ranking
from knowledge.application.review import ApproveDraft, Drafts, EditDraft
from knowledge.application.withdrawal import Withdrawals
from knowledge.domain.entry import Entry
from knowledge.entrypoints import api, consumers
from knowledge.entrypoints.deps import UseCases
from knowledge.settings import KnowledgeSettings


@dataclass(frozen=True)
class Adapters:
    entries: AggregateRepository[Entry]
    directory: Directory
    docs: EntryDocuments
    index: LibraryIndex
    embedder: Embedder
    projector: Projector


def build_adapters(runtime: Runtime, settings: KnowledgeSettings) -> Adapters:
    entries = AggregateRepository(
        runtime.events, runtime.db, Entry, storage=runtime.storage, snapshots="entry_snapshots"
    )
    docs = EntryDocuments(runtime.db)
    index = LibraryIndex()
    embedder = Embedder(settings.model_dir)
    projector = Projector(
        docs, index, embedder, entries, runtime.events, poll_seconds=settings.follow_poll_seconds
    )
    return Adapters(entries, Directory(runtime.db), docs, index, embedder, projector)


def build_use_cases(
    a: Adapters, settings: KnowledgeSettings, store: EventStore
) -> tuple[UseCases, PrepareDraft, Withdrawals]:
    access = LibraryAccess(a.directory)
    drafts = Drafts(access, a.entries)
    withdrawals = Withdrawals(a.entries, store, a.docs, a.projector, drafts)
    ranking = Ranking(
        meaning_weight=settings.meaning_weight,
        keyword_weight=settings.keyword_weight,
        min_similarity=settings.min_similarity,
    )
    use_cases = UseCases(
        library=Library(
            access, a.docs, a.index, a.embedder, EntryView(a.directory, a.docs, a.index), ranking
        ),
        edit=EditDraft(drafts, a.entries, a.directory, a.projector),
        approve=ApproveDraft(
            drafts,
            a.entries,
            a.index,
            a.embedder,
            a.projector,
            duplicate_similarity=settings.duplicate_similarity,
        ),
        withdrawals=withdrawals,
        coverage=Coverage(access, a.directory, a.index, covered_at=settings.covered_at_entries),
    )
    return use_cases, PrepareDraft(a.entries, a.directory, a.embedder, a.projector), withdrawals


def create_app(settings: KnowledgeSettings | None = None) -> FastAPI:
    settings = settings or KnowledgeSettings()
    runtime = build_runtime(settings)
    adapters = build_adapters(runtime, settings)
    use_cases, prepare, withdrawals = build_use_cases(adapters, settings, runtime.events)
    consumers.register(runtime, adapters.directory, prepare, withdrawals)

    async def prepare_read_models(rt: Runtime) -> None:
        await adapters.directory.ensure_indexes()
        await adapters.docs.ensure_indexes()
        await adapters.embedder.warm_up()
        await adapters.projector.rebuild()
        rt.start_background(adapters.projector.follow(), "entry-follower")

    app = create_service_app(
        runtime,
        title="Knowledge service",
        description=knowledge.__doc__ or "",
        routers=[api.router],
        on_startup=[prepare_read_models],
    )
    app.state.knowledge = use_cases
    app.state.adapters = adapters
    return app
