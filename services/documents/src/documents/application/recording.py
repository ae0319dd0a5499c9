"""Saving a document: its events and their integration events in one commit, then the
read model; and recording a finished, verified upload as a document or a new version."""

from __future__ import annotations

from datetime import UTC, datetime

from chassis.errors import Conflict, InvalidInput, Problem
from documents import contracts_mapping
from documents.application.ports import (
    DocumentIndex,
    Documents,
    MediaJobs,
    Objects,
    Sessions,
    UploadSession,
)
from documents.domain.document import Document, DocumentCreated, VersionStored, stream_id


class SaveDocument:
    def __init__(self, documents: Documents, index: DocumentIndex) -> None:
        self.documents = documents
        self.index = index

    async def __call__(self, document: Document) -> Document:
        if document.pending:
            await self.documents.save(document, messages=contracts_mapping.published(document))
            await self.index.project(document)
        return document


class RecordUpload:
    def __init__(
        self,
        *,
        documents: Documents,
        save: SaveDocument,
        sessions: Sessions,
        objects: Objects,
        media_jobs: MediaJobs,
    ) -> None:
        self.documents = documents
        self.save = save
        self.sessions = sessions
        self.objects = objects
        self.media_jobs = media_jobs

    async def verified(self, session: UploadSession, digest: str) -> UploadSession:
        """Record the stored object (SHA-256 ``digest``) unless it is not what the client
        said it sent, or the document changed meanwhile: then nothing is kept."""
        if session.sha256 is not None and session.sha256 != digest:
            problem: Problem = InvalidInput(
                f"the stored bytes have SHA-256 {digest}, not {session.sha256}: "
                "nothing was kept, upload the file again",
                field="sha256",
            )
            await self._fail(session, problem)
            raise problem
        document = await self.documents.load(stream_id(session.document_id))
        content = VersionStored(
            number=len(document.versions) + 1,
            object_key=session.key,
            size=session.offset,
            sha256=digest,
            content_type=session.content_type or "application/octet-stream",
            stored_by=session.user_id,
            stored_at=datetime.now(UTC).isoformat(),
        )
        try:
            if session.new_document:
                document.create(
                    DocumentCreated(
                        tenant_id=session.tenant_id,
                        document_id=session.document_id,
                        program_id=session.program_id,
                        owner_user_id=session.user_id,
                        name=session.name,
                        description=session.description,
                        tags=session.tags,
                        space_id=session.space_id,
                    ),
                    content,
                )
            else:
                if document.version != session.expected_version:
                    raise Conflict(
                        f"the document changed while uploading (now version "
                        f"{document.version}): nothing was kept, upload again"
                    )
                document.add_version(content)
            await self.save(document)
        except Problem as problem:
            await self._fail(session, problem)
            raise
        await self.media_jobs.add(session.tenant_id, session.document_id, content.number)
        session.state = "done"
        session.stored_sha256 = digest
        await self.sessions.put(session)
        return session

    async def _fail(self, session: UploadSession, problem: Problem) -> None:
        await self.objects.remove([session.key])
        session.state = "failed"
        session.error = problem.detail
        await self.sessions.put(session)
