"""Finding documents: one document, a space's documents, a search over all you may see."""

from __future__ import annotations

from typing import Any

from chassis.auth import Principal
from chassis.cursors import decode_cursor, encode_cursor
from chassis.errors import InvalidInput, NotFound
from documents.application.access import Access
from documents.application.ports import Directory, DocumentIndex, SearchQuery
from documents.domain.document import Document

MAX_QUERY = 200


class FindDocuments:
    def __init__(self, access: Access, directory: Directory, index: DocumentIndex) -> None:
        self.access = access
        self.directory = directory
        self.index = index

    async def view(self, principal: Principal, document_id: str) -> Document:
        return await self.access.visible(principal, document_id)

    async def space(
        self, principal: Principal, space_id: str, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A space's documents, for its members (others get 404, as for no space)."""
        space = await self.directory.space(principal.tenant_id, space_id)
        if space is None or not space.open or principal.user_id not in space.member_user_ids:
            raise NotFound("no such space among yours", field="space_id")
        return await self.search(principal, SearchQuery(space_id=space_id), cursor, limit)

    async def search(
        self, principal: Principal, query: SearchQuery, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        if query.text is not None and len(query.text) > MAX_QUERY:
            raise InvalidInput(f"a search text is at most {MAX_QUERY} characters", field="q")
        after = decode_cursor(cursor)
        if after is not None and not isinstance(after, str):
            raise InvalidInput("cursor is not valid", field="cursor")
        audience = await self.access.audience(principal)
        rows = await self.index.search(principal.tenant_id, audience, query, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (encode_cursor(rows[-1]["_id"]) if more else None)
