"""In-memory fakes of the knowledge ports, for use-case tests without a database."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from chassis.access import ProgramFacts
from chassis.eventstore import Publish, StoredEvent
from knowledge.adapters.directory import DirectoryMember
from knowledge.adapters.library_index import IndexedEntry
from knowledge.domain.drafting import search_text
from knowledge.domain.entry import Entry


class FakeEntryStore:
    """Entries (repository) and EventRedaction over stored event dicts, like the store."""

    def __init__(self) -> None:
        self.streams: dict[str, list[dict[str, Any]]] = {}
        self.messages: list[Publish] = []

    async def load(self, stream_id: str) -> Entry:
        return await self.load_from_events(stream_id)

    async def load_from_events(self, stream_id: str) -> Entry:
        events = [
            Entry.event_types.read(e["type"], 1, e["data"]) for e in self.streams.get(stream_id, [])
        ]
        return Entry.from_events(stream_id, events)

    async def save(self, aggregate: Entry, *, messages: Sequence[Publish] = ()) -> None:
        stream = self.streams.setdefault(aggregate.stream_id, [])
        assert len(stream) == aggregate.loaded_version, "concurrent save"
        stream += [{"type": e.TYPE, "data": e.to_stored()} for e in aggregate.pending_events]
        aggregate.mark_saved()
        self.messages += messages

    async def redact(
        self,
        stream_id: str,
        *,
        event: Callable[[StoredEvent], Mapping[str, Any] | None],
        message: Callable[[dict[str, Any]], dict[str, Any] | None] = lambda m: None,
    ) -> int:
        for version, item in enumerate(self.streams.get(stream_id, []), 1):
            stored = StoredEvent(
                "id", stream_id, version, item["type"], "t", item["data"], datetime.now(UTC)
            )
            replacement = event(stored)
            if replacement is not None:
                item["data"] = dict(replacement)
        return 1

    def texts(self, stream_id: str) -> str:
        return str([e["data"] for e in self.streams.get(stream_id, [])])


class FakeDirectory:
    def __init__(self, members: Sequence[DirectoryMember], program: ProgramFacts | None) -> None:
        self.by_user = {m.user_id: m for m in members}
        self.facts = program

    async def member(self, tenant_id: str, program_id: str, user_id: str) -> DirectoryMember | None:
        return self.by_user.get(user_id)

    async def program(self, tenant_id: str, program_id: str) -> ProgramFacts | None:
        return self.facts

    async def members_of(self, tenant_id: str, program_id: str) -> list[DirectoryMember]:
        return list(self.by_user.values())


class FakeEmbeddings:
    """Bag-of-words vectors: texts sharing words are close, others are not."""

    async def embed(self, text: str) -> np.ndarray:
        vector = np.zeros(64, dtype=np.float32)
        for word in re.findall(r"[a-z]+", text.lower()):
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    async def embed_many(self, texts: list[str]) -> list[np.ndarray]:
        return [await self.embed(t) for t in texts]


class FakeLibrary:
    """The projection and the index at once: published entries with their vectors."""

    def __init__(self, embeddings: FakeEmbeddings) -> None:
        self.embeddings = embeddings
        self.entries: dict[str, IndexedEntry] = {}
        self.docs: dict[str, dict[str, Any]] = {}

    async def project(self, entry: Entry) -> None:
        self.docs[entry.entry_id] = {
            "status": entry.status,
            "authors": entry.authors,
            "people": [*entry.author_ids, *entry.member_user_ids],
        }
        self.entries.pop(entry.entry_id, None)
        if entry.status == "published":
            self.entries[entry.entry_id] = IndexedEntry(
                entry_id=entry.entry_id,
                tenant_id=entry.tenant_id,
                program_id=entry.program_id,
                version=entry.version,
                title=entry.content["title"],
                question=entry.content["question"],
                answer=entry.content["answer"],
                topics=entry.content["topics"],
                expertise_area=entry.content["expertise_area"],
                cluster=entry.duplicate_of or entry.entry_id,
                published_at=entry.published_at or "",
                vector=await self.embeddings.embed(search_text(entry.content)),
            )

    def get(self, entry_id: str) -> IndexedEntry | None:
        return self.entries.get(entry_id)

    def program_entries(self, tenant_id: str, program_id: str) -> list[IndexedEntry]:
        return [
            e
            for e in self.entries.values()
            if (e.tenant_id, e.program_id) == (tenant_id, program_id)
        ]

    def keyword(
        self, tenant_id: str, program_id: str, text: str, *, limit: int = 50
    ) -> list[tuple[str, float]]:
        return []

    def semantic(
        self, tenant_id: str, program_id: str, vector: np.ndarray, *, limit: int = 50
    ) -> list[tuple[str, float]]:
        scored = [
            (e.entry_id, float(e.vector @ vector))
            for e in self.program_entries(tenant_id, program_id)
        ]
        return sorted(scored, key=lambda s: -s[1])[:limit]

    # Documents (the part withdrawal and forgetting use)
    async def involving(self, tenant_id: str, program_id: str, user_id: str) -> list[str]:
        return [i for i, d in self.docs.items() if user_id in d["people"]]

    async def drop_votes(self, entry_id: str) -> None:
        pass

    async def forget_votes(self, tenant_id: str, user_id: str) -> None:
        pass
