"""Profile search on tantivy: a read model of the members' program-visible snapshots.

The index holds only what members made visible to their program (the same snapshot that
``profile-changed`` publishes), so a search can never match on, or reveal, a hidden field.
It lives in memory (or at ``PROFILES_SEARCH_INDEX_PATH``) and is rebuilt from the event
store at startup; it is never the source of truth.

Relevance is tantivy's BM25 over analysed text (English stemming) with per-field boosts,
plus fuzzy term matches (Levenshtein distance 1-2, transpositions cost 1) for words the
index does not contain (typos).
Filters are constant-score clauses, so they select without changing the ranking.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from chassis.cursors import decode_cursor, encode_cursor
from chassis.errors import InvalidInput
from profiles.application.ports import SearchFilters, SearchPage
from profiles.domain.fields import normalise_term, utc_offset_minutes

__all__ = ["IndexedMember", "ProfileIndex", "SearchFilters", "SearchPage"]

log = logging.getLogger("profiles.search")

#: Analysed text fields and their weight in the relevance score.
TEXT_FIELDS: dict[str, float] = {
    "headline_t": 2.0,
    "bio_t": 1.0,
    "skills_t": 2.5,
    "expertise_t": 2.5,
    "goals_t": 1.5,
    "interests_t": 1.5,
    "keywords_t": 2.0,
    "name_t": 1.0,
}
FUZZY_BOOST = 0.4
MAX_QUERY_TERMS = 12
MAX_OFFSET = 2000
_WORD = re.compile(r"\w+", re.UNICODE)


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("member_id", stored=True, tokenizer_name="raw")
    for name in (
        "tenant_id",
        "program_id",
        "roles",
        "visible_as",
        "industry",
        "job_function",
        "skills",
        "languages",
        "custom",
    ):
        b.add_text_field(name, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        b.add_text_field(name, tokenizer_name="en_stem")
    b.add_boolean_field("approved", indexed=True)
    b.add_boolean_field("accepting", indexed=True)
    b.add_integer_field("tz_offset", indexed=True, fast=True)
    b.add_integer_field("years", indexed=True, fast=True)
    return b.build()


#: Same chain as tantivy's built-in ``en_stem`` tokenizer, to analyse query words.
_ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)


@dataclass
class IndexedMember:
    member_id: str
    tenant_id: str
    program_id: str
    roles: Sequence[str]
    mentor_approved: bool
    snapshot: Mapping[str, Any]
    version: int
    custom_types: Mapping[str, str] = field(default_factory=dict)


def _terms(values: Iterable[Any]) -> list[str]:
    return [normalise_term(str(v)) for v in values if str(v).strip()]


def _language_terms(tags: Iterable[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        full = tag.lower()
        out += [full, full.split("-")[0]]
    return list(dict.fromkeys(out))


def _number_term(value: Any) -> str:
    return f"{float(value):g}"


def to_document(m: IndexedMember, schema: tantivy.Schema) -> tantivy.Document:
    s = m.snapshot
    visible_as = []
    if "mentee" in m.roles:
        visible_as.append("mentee")
    if "mentor" in m.roles and m.mentor_approved:
        visible_as.append("mentor")
    doc: dict[str, Any] = {
        "member_id": m.member_id,
        "tenant_id": m.tenant_id,
        "program_id": m.program_id,
        "roles": list(m.roles),
        "visible_as": visible_as,
        "approved": bool(m.mentor_approved and "mentor" in m.roles),
        "accepting": bool(s.get("accepting_mentees")),
        "name_t": s.get("display_name") or "",
        "headline_t": s.get("headline") or "",
        "bio_t": s.get("bio") or "",
        "skills_t": " . ".join(s.get("skills") or []),
        "expertise_t": " . ".join(s.get("expertise") or []),
        "goals_t": " . ".join(s.get("goals") or []),
        "interests_t": " . ".join(s.get("interests") or []),
        "keywords_t": " . ".join(s.get("keywords") or []),
        "skills": _terms([*(s.get("skills") or []), *(s.get("expertise") or [])]),
        "languages": _language_terms(s.get("languages") or []),
    }
    if s.get("industry"):
        doc["industry"] = normalise_term(s["industry"])
    if s.get("job_function"):
        doc["job_function"] = normalise_term(s["job_function"])
    if s.get("timezone"):
        doc["tz_offset"] = utc_offset_minutes(s["timezone"])
    if s.get("years_experience") is not None:
        doc["years"] = int(s["years_experience"])
    custom: list[str] = []
    for key, value in (s.get("custom_fields") or {}).items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            text = _number_term(v) if isinstance(v, int | float) else normalise_term(str(v))
            custom.append(f"{key}={text}")
    doc["custom"] = custom
    return tantivy.Document.from_dict({k: v for k, v in doc.items() if v not in ("", [])}, schema)


class ProfileIndex:
    """One tantivy index for the service; every query is scoped to tenant and program."""

    def __init__(self, path: str | None = None, *, heap_bytes: int = 64_000_000) -> None:
        self.schema = _schema()
        if path:
            # a read model: start from empty (in a folder of our own under ``path``), the
            # startup replay fills it
            own = Path(path) / "profiles-search-index"
            shutil.rmtree(own, ignore_errors=True)
            own.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(own))
        else:
            self.index = tantivy.Index(self.schema)
        self.writer = self.index.writer(heap_bytes, 1)
        self.versions: dict[str, int] = {}
        self._dirty = asyncio.Event()
        self._pending = 0

    # --- writing ---------------------------------------------------------------------------

    def upsert(self, member: IndexedMember) -> bool:
        """Index ``member`` unless a newer version is already indexed (sync, no await)."""
        if self.versions.get(member.member_id, 0) >= member.version:
            return False
        self.versions[member.member_id] = member.version
        self.writer.delete_documents_by_term("member_id", member.member_id)
        self.writer.add_document(to_document(member, self.schema))
        self._changed()
        return True

    def remove(self, member_id: str, version: int) -> bool:
        if self.versions.get(member_id, 0) >= version:
            return False
        self.versions[member_id] = version
        self.writer.delete_documents_by_term("member_id", member_id)
        self._changed()
        return True

    def _changed(self) -> None:
        self._pending += 1
        self._dirty.set()

    def refresh(self) -> None:
        """Commit pending changes and make them searchable now."""
        if self._pending:
            self._pending = 0
            self.writer.commit()
            self.index.reload()

    async def run_committer(self, interval: float = 0.05) -> None:
        """Background task: batch pending changes into commits every ``interval`` s."""
        while True:
            await self._dirty.wait()
            await asyncio.sleep(interval)
            self._dirty.clear()
            try:
                self.refresh()
            except Exception:  # pragma: no cover - logged, retried on the next change
                log.exception("search index commit failed")
                self._dirty.set()

    def clear(self) -> None:
        self.writer.delete_all_documents()
        self.versions.clear()
        self._pending += 1
        self.refresh()

    @property
    def num_docs(self) -> int:
        return int(self.index.searcher().num_docs)

    # --- searching -------------------------------------------------------------------------

    def keyword_query(self, text: str) -> tantivy.Query | None:
        words = _WORD.findall(text)[:MAX_QUERY_TERMS]
        tokens: list[str] = []
        for word in words:
            tokens += _ANALYZER.analyze(word)
        tokens = list(dict.fromkeys(tokens))[:MAX_QUERY_TERMS]
        if not tokens:
            return None
        searcher = self.index.searcher()
        per_token = []
        for token in tokens:
            # Fuzzy matching costs more than the rest of the query: only for words that
            # the index does not know (most likely a typo).
            fuzzy_too = len(token) >= 4 and not any(
                searcher.doc_freq(name, token) for name in TEXT_FIELDS
            )
            clauses = []
            for name, boost in TEXT_FIELDS.items():
                exact = tantivy.Query.term_query(self.schema, name, token)
                clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(exact, boost)))
                if fuzzy_too:
                    fuzzy = tantivy.Query.fuzzy_term_query(
                        self.schema,
                        name,
                        token,
                        distance=1 if len(token) < 8 else 2,
                        transposition_cost_one=True,
                    )
                    clauses.append(
                        (
                            tantivy.Occur.Should,
                            tantivy.Query.boost_query(fuzzy, FUZZY_BOOST * boost),
                        )
                    )
            per_token.append((tantivy.Occur.Should, tantivy.Query.boolean_query(clauses)))
        return tantivy.Query.boolean_query(per_token)

    def _filter(self, name: str, values: Sequence[Any]) -> tantivy.Query:
        if len(values) == 1:
            q = tantivy.Query.term_query(self.schema, name, values[0])
        else:
            q = tantivy.Query.term_set_query(self.schema, name, list(values))
        return tantivy.Query.const_score_query(q, 0.0)

    def _range(
        self, name: str, lo: int | None, hi: int | None, bound: int, *, low: int | None = None
    ) -> tantivy.Query:
        """A constant-score range filter; an open end is ``bound`` (``low`` below)."""
        start = lo if lo is not None else (low if low is not None else -bound)
        end = hi if hi is not None else bound
        query = tantivy.Query.range_query(self.schema, name, tantivy.FieldType.Integer, start, end)
        return tantivy.Query.const_score_query(query, 0.0)

    def build_query(
        self, tenant_id: str, program_id: str, text: str | None, f: SearchFilters
    ) -> tantivy.Query:
        must: list[tantivy.Query] = [
            self._filter("tenant_id", [tenant_id]),
            self._filter("program_id", [program_id]),
        ]
        if f.admin_view:
            if f.role:
                must.append(self._filter("roles", [f.role]))
            if f.approved is not None:  # approved or not: a question about mentors
                must.append(self._filter("roles", ["mentor"]))
                must.append(self._filter("approved", [f.approved]))
        else:
            if f.approved is False:
                raise InvalidInput(
                    "only program admins can search unapproved mentors", field="approved"
                )
            role = "mentor" if f.approved else f.role
            if role == "admin":
                raise InvalidInput("role must be mentee or mentor", field="role")
            must.append(self._filter("visible_as", [role] if role else ["mentee", "mentor"]))
        if f.industries:
            must.append(self._filter("industry", _terms(f.industries)))
        if f.job_functions:
            must.append(self._filter("job_function", _terms(f.job_functions)))
        for skill in _terms(f.skills):
            must.append(self._filter("skills", [skill]))
        if f.languages:
            must.append(self._filter("languages", [v.lower() for v in f.languages]))
        if f.accepting is not None:
            must.append(self._filter("accepting", [f.accepting]))
        for key, value in f.custom:
            must.append(self._filter("custom", [f"{key}={value}"]))
        if f.tz_min_minutes is not None or f.tz_max_minutes is not None:
            must.append(self._range("tz_offset", f.tz_min_minutes, f.tz_max_minutes, 24 * 60))
        if f.min_years is not None or f.max_years is not None:
            must.append(self._range("years", f.min_years, f.max_years, 1000, low=0))
        clauses = [(tantivy.Occur.Must, q) for q in must]
        keywords = self.keyword_query(text) if text else None
        if keywords is not None:
            clauses.append((tantivy.Occur.Must, keywords))
        return tantivy.Query.boolean_query(clauses)

    def search(
        self,
        tenant_id: str,
        program_id: str,
        text: str | None,
        filters: SearchFilters,
        *,
        limit: int = 20,
        cursor: str | None = None,
    ) -> SearchPage:
        offset = _decode_offset(cursor)
        query = self.build_query(tenant_id, program_id, text, filters)
        searcher = self.index.searcher()
        result = searcher.search(query, limit, count=True, offset=offset)
        hits = [
            (searcher.doc(address)["member_id"][0], float(score)) for score, address in result.hits
        ]
        total = int(getattr(result, "count", 0) or 0)
        next_offset = offset + len(hits)
        more = next_offset < total and next_offset < MAX_OFFSET and len(hits) == limit
        return SearchPage(hits, total, _encode_offset(next_offset) if more else None)


def _encode_offset(offset: int) -> str:
    return encode_cursor({"o": offset})


def _decode_offset(cursor: str | None) -> int:
    position = decode_cursor(cursor)
    if position is None:
        return 0
    offset = position.get("o") if isinstance(position, dict) else None
    if isinstance(offset, int) and not isinstance(offset, bool) and 0 <= offset <= MAX_OFFSET:
        return offset
    raise InvalidInput("cursor is not valid (use next_cursor from a previous page)", field="cursor")
