"""Entry streams -> the entries read model and the search index.

Use cases project the entry they saved at once (so a withdrawal is unsearchable when it
returns); the follower tails the event store's commit heads so that entries saved by
another replica reach this replica's in-memory index within a poll. Both paths are
version-guarded, so applying a state twice changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from chassis.eventstore import EventStore
from chassis.repository import AggregateRepository
from knowledge.adapters.embeddings import Embedder
from knowledge.adapters.library_index import IndexedEntry, LibraryIndex
from knowledge.adapters.read_models import EntryDocuments
from knowledge.domain.drafting import search_text
from knowledge.domain.entry import Entry

log = logging.getLogger("knowledge.projector")


def document_of(entry: Entry, vector: np.ndarray | None) -> dict[str, Any]:
    content = entry.content
    return {
        "tenant_id": entry.tenant_id,
        "program_id": entry.program_id,
        "exchange_id": entry.exchange_id,
        "conversation_id": entry.conversation_id,
        "status": entry.status,
        "version": entry.version,
        "authors": entry.authors,
        "author_user_ids": entry.author_ids,
        "member_user_ids": entry.member_user_ids,
        "people": list(dict.fromkeys([*entry.author_ids, *entry.member_user_ids])),
        "title": content.get("title"),
        "question": content.get("question"),
        "answer": content.get("answer"),
        "topics": content.get("topics") or [],
        "expertise_area": content.get("expertise_area"),
        "redactions": entry.redactions,
        "approved_by": entry.approved_by,
        "duplicate_of": entry.duplicate_of,
        "published_at": entry.published_at,
        "vector": vector.tolist() if vector is not None else None,
        "withdrawal": entry.withdrawal,
    }


def indexed(entry_id: str, doc: dict[str, Any], vector: np.ndarray) -> IndexedEntry:
    return IndexedEntry(
        entry_id=entry_id,
        tenant_id=doc["tenant_id"],
        program_id=doc["program_id"],
        version=doc["version"],
        title=doc["title"] or "",
        question=doc["question"] or "",
        answer=doc["answer"] or "",
        topics=list(doc.get("topics") or []),
        expertise_area=doc.get("expertise_area"),
        cluster=doc.get("duplicate_of") or entry_id,
        published_at=doc.get("published_at") or "",
        vector=vector,
    )


class Projector:
    def __init__(
        self,
        docs: EntryDocuments,
        index: LibraryIndex,
        embedder: Embedder,
        entries: AggregateRepository[Entry],
        store: EventStore,
        *,
        poll_seconds: float = 1.0,
        overlap_seconds: float = 5.0,
    ) -> None:
        self.docs, self.index, self.embedder = docs, index, embedder
        self.entries, self.store = entries, store
        self.poll_seconds, self.overlap = poll_seconds, timedelta(seconds=overlap_seconds)

    async def project(self, entry: Entry) -> None:
        vector = None
        if entry.status == "published":
            vector = await self.embedder.embed(search_text(entry.content))
        doc = document_of(entry, vector)
        await self.docs.write(entry.entry_id, entry.version, doc)
        if vector is not None:
            self.index.upsert(indexed(entry.entry_id, doc, vector))
        else:
            self.index.remove(entry.entry_id, entry.version)

    async def rebuild(self) -> int:
        """Fill the in-memory index from the read model (startup)."""
        count = 0
        for doc in await self.docs.published():
            vector = doc.get("vector")
            if vector is None:
                continue
            self.index.upsert(indexed(doc["_id"], doc, np.asarray(vector, dtype=np.float32)))
            count += 1
        return count

    async def follow(self) -> None:
        """Background task: project entries whose streams moved (saved by any replica)."""
        since = datetime.now(UTC) - self.overlap
        while True:
            await asyncio.sleep(self.poll_seconds)
            started = datetime.now(UTC)
            try:
                async for stream_id, version, _ in self.store.stream_heads(since=since):
                    if not stream_id.startswith("entry-"):
                        continue
                    entry_id = stream_id.removeprefix("entry-")
                    if self.index.versions.get(entry_id, 0) < version:
                        await self.project(await self.entries.load(stream_id))
                since = started - self.overlap
            except Exception:  # logged; the next poll retries from the same point
                log.exception("following the entry streams failed")
