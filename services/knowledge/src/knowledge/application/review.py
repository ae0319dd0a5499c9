"""The authors' review: read the draft, edit it, approve it; the last approval publishes.

Only the exchange's authors see a draft (anyone else gets 404). A published entry that
means the same as one already in the library (cosine similarity of their embeddings at or
above the threshold) is listed under that entry instead of beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from chassis.auth import Principal
from chassis.errors import NotFound
from chassis.eventstore import Publish
from knowledge.application.access import LibraryAccess
from knowledge.application.drafts import DraftChanges, edited_content
from knowledge.application.ports import Directory, Embeddings, Entries, Index, Projection
from knowledge.domain.drafting import search_text
from knowledge.domain.entry import Entry, stream_of
from mentorship_contracts.events.knowledge import KnowledgeEntryPublishedV1


class Drafts:
    """Loading an entry for one of its authors (404 for everyone else)."""

    def __init__(self, access: LibraryAccess, entries: Entries) -> None:
        self.access, self.entries = access, entries

    async def of_author(self, principal: Principal, program_id: str, entry_id: str) -> Entry:
        await self.access.reader(principal, program_id)
        entry = await self.entries.load(stream_of(entry_id))
        if (
            not entry.exists
            or entry.tenant_id != principal.tenant_id
            or entry.program_id != program_id
            or entry.status == "withdrawn"
            or not entry.is_author(principal.user_id)
        ):
            raise NotFound("no such draft")
        return entry


class EditDraft:
    def __init__(
        self, drafts: Drafts, entries: Entries, directory: Directory, projection: Projection
    ) -> None:
        self.drafts, self.entries, self.directory, self.projection = (
            drafts,
            entries,
            directory,
            projection,
        )

    async def __call__(
        self,
        principal: Principal,
        program_id: str,
        entry_id: str,
        changes: DraftChanges,
        expected_version: int | None,
    ) -> Entry:
        entry = await self.drafts.of_author(principal, program_id, entry_id)
        content, counts = await edited_content(self.directory, entry, changes)
        entry.edit(principal.user_id, content, counts, expected_version)
        await self.entries.save(entry)
        await self.projection.project(entry)
        return entry


class ApproveDraft:
    def __init__(
        self,
        drafts: Drafts,
        entries: Entries,
        index: Index,
        embeddings: Embeddings,
        projection: Projection,
        *,
        duplicate_similarity: float,
    ) -> None:
        self.drafts, self.entries, self.index = drafts, entries, index
        self.embeddings, self.projection = embeddings, projection
        self.duplicate_similarity = duplicate_similarity

    async def __call__(
        self, principal: Principal, program_id: str, entry_id: str, expected_version: int | None
    ) -> Entry:
        entry = await self.drafts.of_author(principal, program_id, entry_id)
        messages = []
        if entry.approve(principal.user_id, expected_version):
            now = datetime.now(UTC)
            duplicate_of = await self.duplicate_of(entry)
            entry.publish(now, duplicate_of)
            messages.append(
                Publish(
                    KnowledgeEntryPublishedV1(
                        tenant_id=entry.tenant_id,
                        entry_id=entry.entry_id,
                        program_id=entry.program_id,
                        exchange_id=entry.exchange_id,
                        topics=entry.content.get("topics") or [],
                        expertise_area=entry.content.get("expertise_area"),
                        duplicate_of_entry_id=duplicate_of,
                        published_at=now,
                    )
                )
            )
        await self.entries.save(entry, messages=messages)
        await self.projection.project(entry)
        return entry

    async def duplicate_of(self, entry: Entry) -> str | None:
        vector = await self.embeddings.embed(search_text(entry.content))
        nearest = self.index.semantic(entry.tenant_id, entry.program_id, vector, limit=1)
        if not nearest or nearest[0][1] < self.duplicate_similarity:
            return None
        listed = {
            e.entry_id: e.cluster
            for e in self.index.program_entries(entry.tenant_id, entry.program_id)
        }
        return listed.get(nearest[0][0], nearest[0][0])
