"""Purging: a document's content leaves storage for good (after its soft delete has aged,
or at once when its owner is erased), and its stored name, description and tags are
redacted from the event stream, so nothing personal about it is left."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from documents.application.ports import Documents, Objects
from documents.application.recording import SaveDocument
from documents.domain.document import stream_id


class Redactor(Protocol):
    async def redact_document(self, stream_id: str) -> None: ...


class PurgeDocument:
    def __init__(
        self, documents: Documents, save: SaveDocument, objects: Objects, redactor: Redactor
    ) -> None:
        self.documents = documents
        self.save = save
        self.objects = objects
        self.redactor = redactor

    async def __call__(self, tenant_id: str, document_id: str, reason: str) -> bool:
        document = await self.documents.load(stream_id(document_id))
        if not document.exists or document.tenant_id != tenant_id:
            return False
        keys = {v["object_key"] for v in document.versions}
        keys |= {m["preview_key"] for m in document.media.values() if m.get("preview_key")}
        await self.objects.remove(sorted(keys))
        document.purge(at=datetime.now(UTC).isoformat(), reason=reason)
        await self.save(document)
        await self.redactor.redact_document(document.stream_id)
        return True
