"""Reading the library: an entry, search (by words and by meaning), topics, helpful votes.

Search ranks by a blend of meaning (cosine similarity of MiniLM embeddings, for questions
asked in other words) and words (BM25 with typo tolerance, for exact terms), plus a small
boost for helpful votes. Near-duplicates share a cluster and are listed once, under the
best-ranked of them, with the others counted. Only published entries are ever indexed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from chassis.auth import Principal
from chassis.errors import NotFound
from chassis.text import check_text
from knowledge.adapters.library_index import IndexedEntry
from knowledge.application.access import LibraryAccess, Reader
from knowledge.application.ports import Directory, Documents, Embeddings, Index

Mode = Literal["hybrid", "keyword", "meaning"]


@dataclass(frozen=True)
class Ranking:
    """How search blends its two signals (settings; the bench tunes them)."""

    meaning_weight: float = 0.8
    keyword_weight: float = 0.2
    min_similarity: float = 0.3
    vote_boost: float = 0.02
    candidates: int = 50


class EntryView:
    """An entry as a reader sees it: credits only for those who agreed, the source link
    only for the source conversation's members, votes."""

    def __init__(self, directory: Directory, docs: Documents, index: Index) -> None:
        self.directory, self.docs, self.index = directory, docs, index

    async def authors(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for author in doc.get("authors") or []:
            name = None
            if author.get("credit"):
                member = await self.directory.member(
                    doc["tenant_id"], doc["program_id"], author["user_id"]
                )
                name = member.display_name if member else None
            out.append(
                {
                    "role": author["role"],
                    "name": name,
                    "user_id": author["user_id"] if name else None,
                }
            )
        return out

    async def render(
        self, reader: Reader, doc: dict[str, Any], *, draft: bool = False
    ) -> dict[str, Any]:
        entry_id = doc["_id"]
        cluster = doc.get("duplicate_of") or entry_id
        related = [
            e.entry_id
            for e in self.index.program_entries(doc["tenant_id"], doc["program_id"])
            if e.cluster == cluster and e.entry_id != entry_id
        ]
        votes = await self.docs.votes_for([entry_id])
        view: dict[str, Any] = {
            "id": entry_id,
            "program_id": doc["program_id"],
            "status": doc["status"],
            "version": doc["version"],
            "title": doc.get("title") or "",
            "question": doc.get("question") or "",
            "answer": doc.get("answer") or "",
            "topics": doc.get("topics") or [],
            "expertise_area": doc.get("expertise_area"),
            "authors": await self.authors(doc),
            "published_at": doc.get("published_at"),
            "duplicate_of": doc.get("duplicate_of"),
            "related_entry_ids": related,
            "helpful": votes.get(entry_id, 0),
            "voted_helpful": await self.docs.voted(entry_id, reader.user_id),
            "source": (
                {"conversation_id": doc["conversation_id"]}
                if reader.user_id in (doc.get("member_user_ids") or [])
                else None
            ),
        }
        if draft:
            view["approved_by"] = doc.get("approved_by") or []
            view["redactions"] = doc.get("redactions") or {}
        return view


class Library:
    def __init__(
        self,
        access: LibraryAccess,
        docs: Documents,
        index: Index,
        embeddings: Embeddings,
        view: EntryView,
        ranking: Ranking,
    ) -> None:
        self.access, self.docs, self.index = access, docs, index
        self.embeddings, self.view, self.ranking = embeddings, view, ranking

    async def entry(self, principal: Principal, program_id: str, entry_id: str) -> dict[str, Any]:
        """A published entry for a reader; a draft for its authors only."""
        reader = await self.access.reader(principal, program_id)
        doc = await self.docs.get(entry_id)
        if (
            doc is None
            or doc["tenant_id"] != principal.tenant_id
            or doc["program_id"] != program_id
            or doc["status"] == "withdrawn"
            or (doc["status"] == "draft" and principal.user_id not in doc["author_user_ids"])
        ):
            raise NotFound("no such entry")
        return await self.view.render(reader, doc, draft=doc["status"] == "draft")

    async def my_drafts(self, principal: Principal, program_id: str) -> list[dict[str, Any]]:
        reader = await self.access.reader(principal, program_id)
        docs = await self.docs.drafts_of(principal.tenant_id, program_id, principal.user_id)
        return [await self.view.render(reader, d, draft=True) for d in docs]

    async def search(
        self,
        principal: Principal,
        program_id: str,
        query: str,
        *,
        topic: str | None = None,
        mode: Mode = "hybrid",
        limit: int = 10,
    ) -> list[dict[str, Any]]:
        reader = await self.access.reader(principal, program_id)
        check_text(query, "q")
        scored = await self.rank(reader.tenant_id, program_id, query, mode=mode)
        return await self._listing(reader, scored, topic=topic, limit=limit)

    async def rank(
        self, tenant_id: str, program_id: str, query: str, *, mode: Mode = "hybrid"
    ) -> list[tuple[str, float]]:
        """Entry ids with their scores, best first (no access check: callers do it)."""
        r = self.ranking
        scores: dict[str, float] = {}
        if mode in ("hybrid", "keyword"):
            hits = self.index.keyword(tenant_id, program_id, query, limit=r.candidates)
            best = max((s for _, s in hits), default=0.0) or 1.0
            weight = 1.0 if mode == "keyword" else r.keyword_weight
            for entry_id, score in hits:
                scores[entry_id] = weight * score / best
        if mode in ("hybrid", "meaning"):
            vector = await self.embeddings.embed(query)
            weight = 1.0 if mode == "meaning" else r.meaning_weight
            for entry_id, similarity in self.index.semantic(
                tenant_id, program_id, vector, limit=r.candidates
            ):
                if similarity >= r.min_similarity:
                    scores[entry_id] = scores.get(entry_id, 0.0) + weight * similarity
        votes = await self.docs.votes_for(list(scores))
        for entry_id, count in votes.items():
            scores[entry_id] += r.vote_boost * math.log1p(count)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    async def _listing(
        self,
        reader: Reader,
        scored: list[tuple[str, float]],
        *,
        topic: str | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        entries = {
            e.entry_id: e for e in self.index.program_entries(reader.tenant_id, reader.program_id)
        }
        listed: dict[str, dict[str, Any]] = {}
        for entry_id, score in scored:
            entry = entries.get(entry_id)
            if entry is None or (topic and topic.lower() not in entry.topics):
                continue
            if entry.cluster in listed:
                listed[entry.cluster]["duplicates"] += 1
                continue
            if len(listed) < limit:
                listed[entry.cluster] = _summary(entry, score)
        votes = await self.docs.votes_for([item["id"] for item in listed.values()])
        for item in listed.values():
            item["helpful"] = votes.get(item["id"], 0)
        return list(listed.values())

    async def browse(
        self, principal: Principal, program_id: str, topic: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Entries (newest first), of one topic when given; duplicates listed once."""
        reader = await self.access.reader(principal, program_id)
        newest = sorted(
            self.index.program_entries(reader.tenant_id, program_id),
            key=lambda e: (e.published_at, e.entry_id),
            reverse=True,
        )
        return await self._listing(
            reader, [(e.entry_id, 0.0) for e in newest], topic=topic, limit=limit
        )

    async def topics(self, principal: Principal, program_id: str) -> list[dict[str, Any]]:
        reader = await self.access.reader(principal, program_id)
        counts: dict[str, set[str]] = {}
        for entry in self.index.program_entries(reader.tenant_id, program_id):
            for topic in entry.topics:
                counts.setdefault(topic, set()).add(entry.cluster)
        return sorted(
            ({"topic": t, "entries": len(c)} for t, c in counts.items()),
            key=lambda item: (-item["entries"], item["topic"]),
        )

    async def vote(self, principal: Principal, program_id: str, entry_id: str) -> dict[str, Any]:
        """One helpful vote per member: a claim by insert (a repeat changes nothing)."""
        reader = await self.access.reader(principal, program_id)
        entry = self.index.get(entry_id)
        if entry is None or (entry.tenant_id, entry.program_id) != (reader.tenant_id, program_id):
            raise NotFound("no such entry")
        counted = await self.docs.vote(reader.tenant_id, entry_id, reader.user_id)
        votes = await self.docs.votes_for([entry_id])
        return {"entry_id": entry_id, "helpful": votes.get(entry_id, 0), "counted": counted}


def _summary(entry: IndexedEntry, score: float) -> dict[str, Any]:
    return {
        "id": entry.entry_id,
        "title": entry.title,
        "question": entry.question[:300],
        "topics": entry.topics,
        "expertise_area": entry.expertise_area,
        "published_at": entry.published_at,
        "score": round(score, 4),
        "duplicates": 0,
    }
