"""Domain events -> the integration events other services may read (pure mapping).

Never a document's name, description, tags or content: those may be confidential, and
whoever needs them asks the documents API, which checks the share.
"""

from __future__ import annotations

from chassis.eventstore import Publish
from documents.domain.document import Deleted, Document, Moved, Purged, Shared, VersionStored
from mentorship_contracts.events.base import EventPayload
from mentorship_contracts.events.documents import (
    DocumentDeletedV1,
    DocumentSharedV1,
    DocumentUploadedV1,
    DocumentVersionAddedV1,
)


def published(document: Document) -> list[Publish]:
    """What the document's pending events tell other services."""
    payloads: list[EventPayload] = []
    ids = {
        "tenant_id": document.tenant_id,
        "program_id": document.program_id,
        "document_id": document.document_id,
        "owner_user_id": document.owner_user_id,
    }
    for recorded in document.pending:
        event = recorded.event
        if isinstance(event, VersionStored) and event.number == 1:
            payloads.append(
                DocumentUploadedV1(
                    **ids,
                    space_id=document.space_id,
                    media_type=event.content_type,
                    size_bytes=event.size,
                )
            )
            if document.space_id is not None:
                payloads.append(_shared(document, event.stored_by, [], document.space_id))
        elif isinstance(event, VersionStored):
            payloads.append(
                DocumentVersionAddedV1(
                    **ids,
                    added_by_user_id=event.stored_by,
                    version=event.number,
                    restored_from=event.restored_from,
                    media_type=event.content_type,
                    size_bytes=event.size,
                )
            )
        elif isinstance(event, Shared) and event.user_ids:
            payloads.append(_shared(document, document.owner_user_id, event.user_ids, None))
        elif isinstance(event, Moved) and event.space_id is not None:
            payloads.append(_shared(document, document.owner_user_id, [], event.space_id))
        elif isinstance(event, Deleted):
            payloads.append(DocumentDeletedV1(**ids, stage="soft", reason="deleted_by_owner"))
        elif isinstance(event, Purged):
            payloads.append(DocumentDeletedV1(**ids, stage="purged", reason=event.reason))
    return [Publish(payload=p) for p in payloads]


def _shared(
    document: Document, by: str, users: list[str], match_id: str | None
) -> DocumentSharedV1:
    current = document.current
    return DocumentSharedV1(
        tenant_id=document.tenant_id,
        program_id=document.program_id,
        document_id=document.document_id,
        owner_user_id=document.owner_user_id,
        shared_by_user_id=by,
        match_id=match_id,
        shared_with_user_ids=users,
        media_type=current["content_type"],
        size_bytes=current["size"],
    )
