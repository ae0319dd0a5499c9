"""The library's search index: tantivy for words, MiniLM vectors for meaning.

A read model of the *published* entries only, in memory, rebuilt from the entries read
model at startup and kept current by the projector. Keyword search is BM25 over English-
stemmed text with per-field boosts, plus fuzzy term matches (Levenshtein 1-2) for words the
index does not know (typos), as profiles' member search does. Every query is scoped to one
tenant and program. Changes are committed at once: a withdrawn entry is unsearchable when
the withdrawal returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import tantivy

TEXT_FIELDS: dict[str, float] = {
    "title_t": 3.0,
    "question_t": 2.0,
    "topics_t": 2.0,
    "answer_t": 1.0,
}
FUZZY_BOOST = 0.4
MAX_QUERY_TERMS = 16
_WORD = re.compile(r"\w+", re.UNICODE)
_ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)


@dataclass
class IndexedEntry:
    entry_id: str
    tenant_id: str
    program_id: str
    version: int
    title: str
    question: str
    answer: str
    topics: list[str]
    expertise_area: str | None
    cluster: str  # the entry it is listed under: itself, or the one it duplicates
    published_at: str
    vector: np.ndarray = field(repr=False)


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    for name in ("entry_id", "tenant_id", "program_id"):
        b.add_text_field(name, stored=name == "entry_id", tokenizer_name="raw")
    for name in TEXT_FIELDS:
        b.add_text_field(name, tokenizer_name="en_stem")
    return b.build()


class LibraryIndex:
    def __init__(self, heap_bytes: int = 32_000_000) -> None:
        self.schema = _schema()
        self.index = tantivy.Index(self.schema)
        self.writer = self.index.writer(heap_bytes, 1)
        self.versions: dict[str, int] = {}
        self.entries: dict[str, IndexedEntry] = {}
        self._programs: dict[tuple[str, str], dict[str, IndexedEntry]] = {}
        self._matrices: dict[tuple[str, str], tuple[list[str], np.ndarray]] = {}

    # --- writing --------------------------------------------------------------------------

    def upsert(self, entry: IndexedEntry) -> bool:
        if self.versions.get(entry.entry_id, 0) >= entry.version:
            return False
        self._drop(entry.entry_id)
        self.versions[entry.entry_id] = entry.version
        self.writer.add_document(
            tantivy.Document.from_dict(
                {
                    "entry_id": entry.entry_id,
                    "tenant_id": entry.tenant_id,
                    "program_id": entry.program_id,
                    "title_t": entry.title,
                    "question_t": entry.question,
                    "answer_t": entry.answer,
                    "topics_t": " . ".join(entry.topics),
                },
                self.schema,
            )
        )
        self.entries[entry.entry_id] = entry
        program = (entry.tenant_id, entry.program_id)
        self._programs.setdefault(program, {})[entry.entry_id] = entry
        self._matrices.pop(program, None)
        self._commit()
        return True

    def remove(self, entry_id: str, version: int) -> bool:
        if self.versions.get(entry_id, 0) >= version:
            return False
        self.versions[entry_id] = version
        self._drop(entry_id)
        self._commit()
        return True

    def _drop(self, entry_id: str) -> None:
        old = self.entries.pop(entry_id, None)
        if old is None:
            return
        self.writer.delete_documents_by_term("entry_id", entry_id)
        program = (old.tenant_id, old.program_id)
        self._programs.get(program, {}).pop(entry_id, None)
        self._matrices.pop(program, None)

    def _commit(self) -> None:
        self.writer.commit()
        self.index.reload()

    # --- reading --------------------------------------------------------------------------

    def get(self, entry_id: str) -> IndexedEntry | None:
        return self.entries.get(entry_id)

    def program_entries(self, tenant_id: str, program_id: str) -> list[IndexedEntry]:
        return list(self._programs.get((tenant_id, program_id), {}).values())

    def keyword(
        self, tenant_id: str, program_id: str, text: str, *, limit: int = 50
    ) -> list[tuple[str, float]]:
        tokens: list[str] = []
        for word in _WORD.findall(text)[: MAX_QUERY_TERMS * 2]:
            tokens += _ANALYZER.analyze(word)
        tokens = list(dict.fromkeys(tokens))[:MAX_QUERY_TERMS]
        if not tokens:
            return []
        searcher = self.index.searcher()
        per_token = []
        for token in tokens:
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
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, self._term("tenant_id", tenant_id)),
                (tantivy.Occur.Must, self._term("program_id", program_id)),
                (tantivy.Occur.Must, tantivy.Query.boolean_query(per_token)),
            ]
        )
        result = searcher.search(query, limit)
        return [
            (searcher.doc(address)["entry_id"][0], float(score)) for score, address in result.hits
        ]

    def _term(self, name: str, value: str) -> tantivy.Query:
        return tantivy.Query.const_score_query(
            tantivy.Query.term_query(self.schema, name, value), 0.0
        )

    def semantic(
        self, tenant_id: str, program_id: str, vector: np.ndarray, *, limit: int = 50
    ) -> list[tuple[str, float]]:
        """Entries by cosine similarity to ``vector`` (unit vectors: a dot product)."""
        ids, matrix = self._matrix(tenant_id, program_id)
        if not ids:
            return []
        scores = matrix @ vector
        top = np.argsort(-scores)[:limit]
        return [(ids[i], float(scores[i])) for i in top]

    def _matrix(self, tenant_id: str, program_id: str) -> tuple[list[str], np.ndarray]:
        program = (tenant_id, program_id)
        cached = self._matrices.get(program)
        if cached is None:
            entries = self._programs.get(program, {})
            ids = list(entries)
            matrix = (
                np.stack([entries[i].vector for i in ids]).astype(np.float32)
                if ids
                else np.zeros((0, 1), dtype=np.float32)
            )
            cached = self._matrices[program] = (ids, matrix)
        return cached
