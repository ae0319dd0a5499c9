"""Wires the documents service: the only module that knows every other one.

Adapters first (the aggregate repository, object storage, sessions, read models, job
queue), then the use cases with the ports they need, the consumers, and the background
loops (media jobs, housekeeping of abandoned uploads and aged deletes).
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

import documents
from chassis.app import Runtime, build_runtime, create_service_app
from chassis.repository import AggregateRepository
from documents.adapters import media
from documents.adapters.media_jobs import MediaJobQueue
from documents.adapters.objects import DocumentObjects
from documents.adapters.read_models import DirectoryStore, DocumentIndexStore
from documents.adapters.redaction import StreamRedactor
from documents.adapters.sessions import UploadSessions
from documents.adapters.sniffing import sniff
from documents.application.access import Access
from documents.application.directory import DirectoryChanges
from documents.application.documents import EditDocument
from documents.application.downloads import Downloads
from documents.application.housekeeping import Housekeeping
from documents.application.media import MediaWorker
from documents.application.purging import PurgeDocument
from documents.application.queries import FindDocuments
from documents.application.recording import RecordUpload, SaveDocument
from documents.application.uploads import UploadLimits, Uploads
from documents.domain.document import Document
from documents.entrypoints import api, consumers
from documents.settings import DocumentsSettings


@dataclass(frozen=True)
class Adapters:
    documents: AggregateRepository[Document]
    objects: DocumentObjects
    sessions: UploadSessions
    index: DocumentIndexStore
    directory: DirectoryStore
    jobs: MediaJobQueue
    redactor: StreamRedactor


def build_adapters(runtime: Runtime, settings: DocumentsSettings) -> Adapters:
    assert runtime.objects is not None  # DocumentsSettings are object-storage settings
    owner = f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    return Adapters(
        documents=AggregateRepository(
            runtime.events,
            runtime.db,
            Document,
            storage=runtime.storage,
            snapshots="document_snapshots",
        ),
        objects=DocumentObjects(runtime.objects.client, settings.bucket),
        sessions=UploadSessions(runtime.db),
        index=DocumentIndexStore(runtime.db),
        directory=DirectoryStore(runtime.db),
        jobs=MediaJobQueue(runtime.db, owner, settings.media_lease_seconds),
        redactor=StreamRedactor(runtime.events),
    )


@dataclass(frozen=True)
class UseCases:
    uploads: Uploads
    edit_document: EditDocument
    find_documents: FindDocuments
    downloads: Downloads
    purge: PurgeDocument
    directory_changes: DirectoryChanges
    media: MediaWorker
    housekeeping: Housekeeping


def build_use_cases(a: Adapters, settings: DocumentsSettings, runtime: Runtime) -> UseCases:
    access = Access(a.documents, a.directory)
    save = SaveDocument(a.documents, a.index)
    record = RecordUpload(
        documents=a.documents, save=save, sessions=a.sessions, objects=a.objects, media_jobs=a.jobs
    )
    purge = PurgeDocument(a.documents, save, a.objects, a.redactor)

    def spawn(work: Awaitable[Any], name: str) -> None:
        runtime.start_background(work, name)

    uploads = Uploads(
        access=access,
        sessions=a.sessions,
        objects=a.objects,
        record=record,
        sniff=sniff,
        limits=UploadLimits(
            max_bytes=settings.max_upload_bytes,
            part_size=settings.part_size_bytes,
            forbidden_types=frozenset(settings.forbidden_content_types),
            parts_in_flight=settings.parts_in_flight,
            writer_stale_seconds=settings.upload_writer_stale_seconds,
        ),
        spawn=spawn,
    )
    ffprobe, timeout = settings.ffprobe_path, settings.probe_timeout_seconds
    return UseCases(
        uploads=uploads,
        edit_document=EditDocument(access, save),
        find_documents=FindDocuments(access, a.directory, a.index),
        downloads=Downloads(
            access,
            a.documents,
            a.objects,
            link_secret=settings.link_secret.get_secret_value().encode(),
            link_max_seconds=settings.link_max_seconds,
        ),
        purge=purge,
        directory_changes=DirectoryChanges(a.directory, a.index, purge, a.documents, save),
        media=MediaWorker(
            queue=a.jobs,
            documents=a.documents,
            save=save,
            objects=a.objects,
            probe=lambda url: media.probe(ffprobe, url, timeout),
            image_thumbnail=media.image_thumbnail,
            pdf_preview=media.pdf_preview,
            max_source_bytes=settings.preview_max_source_bytes,
            poll_seconds=settings.media_poll_seconds,
        ),
        housekeeping=Housekeeping(
            sessions=a.sessions,
            uploads=uploads,
            index=a.index,
            purge=purge,
            abandon_seconds=settings.upload_abandon_seconds,
            purge_after_seconds=settings.purge_after_seconds,
            sweep_seconds=settings.sweep_seconds,
        ),
    )


def create_app(settings: DocumentsSettings | None = None) -> FastAPI:
    settings = settings or DocumentsSettings()
    runtime = build_runtime(settings)
    adapters = build_adapters(runtime, settings)
    cases = build_use_cases(adapters, settings, runtime)
    consumers.register(runtime, cases.directory_changes)

    async def prepare(rt: Runtime) -> None:
        await adapters.objects.ensure_bucket()
        await adapters.sessions.ensure_indexes()
        await adapters.index.ensure_indexes()
        await adapters.directory.ensure_indexes()
        rt.start_background(cases.media.run(), "media-jobs")
        rt.start_background(cases.housekeeping.run(), "housekeeping")

    app = create_service_app(
        runtime,
        title="Documents service",
        description=documents.__doc__ or "",
        routers=api.routers,
        on_startup=[prepare],
    )
    app.state.uploads = cases.uploads
    app.state.edit_document = cases.edit_document
    app.state.find_documents = cases.find_documents
    app.state.downloads = cases.downloads
    app.state.documents = adapters
    app.state.use_cases = cases
    return app
