"""Whether a sender may attach documents to a conversation.

Two adapters of one port (:class:`messaging.application.ports.AttachmentPolicy`):

* :class:`DocumentsApiAttachments` asks the documents service, as the caller (their own
  token), whether each document may be shared with the conversation's match;
* :class:`SharedDocumentsAttachments` (used while ``MESSAGING_DOCUMENTS_URL`` is empty)
  decides from ``document-shared`` events: a document shared with the conversation's
  match, or by the sender with every other member of the conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from pymongo.asynchronous.database import AsyncDatabase

from chassis.auth import Principal
from chassis.errors import InvalidInput
from chassis.storage import upsert
from mentorship_contracts.events.documents import DocumentSharedV1

REFUSED = "you cannot share document {} with this conversation"


class SharedDocumentsAttachments:
    def __init__(self, db: AsyncDatabase) -> None:
        self.shares = db["shared_documents"]

    async def document_shared(self, event: DocumentSharedV1) -> None:
        """Per document, in the order of its topic partition: add what this share adds."""
        add: dict[str, Any] = {
            "sharers": {"$each": [event.shared_by_user_id, event.owner_user_id]},
            "people": {"$each": list(event.shared_with_user_ids)},
        }
        if event.match_id:
            add["matches"] = event.match_id
        await upsert(
            self.shares,
            f"{event.tenant_id}|{event.document_id}",
            {"$addToSet": add, "$set": {"tenant_id": event.tenant_id}},
        )

    async def check(
        self, principal: Principal, token: str, conversation: Any, document_ids: Sequence[str]
    ) -> None:
        others = set(conversation.members) - {principal.user_id}
        for document_id in document_ids:
            share = await self.shares.find_one({"_id": f"{principal.tenant_id}|{document_id}"})
            if share is None:
                raise InvalidInput(REFUSED.format(document_id), field="attachments")
            with_match = bool(set(share.get("matches", [])) & set(conversation.matches))
            sharer = principal.user_id in share.get("sharers", [])
            with_people = sharer and others <= set(share.get("people", []))
            if (
                not (with_match and (sharer or principal.user_id in share.get("people", [])))
                and not with_people
            ):
                raise InvalidInput(REFUSED.format(document_id), field="attachments")


class DocumentsApiAttachments:
    """``GET {documents}/v1/documents/{id}`` as the caller: a document they cannot see is
    refused; one they can see is theirs to share if they own it, or shared with this
    conversation already (the documents service shows shares to the owner only)."""

    def __init__(self, base_url: str, *, timeout: float = 3.0) -> None:
        self.client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)

    async def check(
        self, principal: Principal, token: str, conversation: Any, document_ids: Sequence[str]
    ) -> None:
        for document_id in document_ids:
            response = await self.client.get(
                f"/v1/documents/{document_id}", headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code != 200:
                raise InvalidInput(REFUSED.format(document_id), field="attachments")
            document = response.json()
            shared = (document.get("shared_with") or {}).get("conversation_ids") or []
            if document.get("owner_user_id") != principal.user_id and (
                conversation.stream_id not in shared
            ):
                raise InvalidInput(REFUSED.format(document_id), field="attachments")
