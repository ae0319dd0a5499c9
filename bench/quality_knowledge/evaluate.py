"""Knowledge quality on a labelled set: redaction recall/precision and search NDCG@5.

``python bench/quality_knowledge/evaluate.py`` (offline: the installed MiniLM package).

* **Redaction**: each text of ``dataset.json`` has planted personal data (e-mails, phone
  numbers, directory names) and decoys that must survive (dates, versions, addresses,
  amounts, capitalised words). Recall: planted items gone from the output. Precision:
  of all masks the redactor applied, those that hit a planted item.
* **Search**: the 24 library entries are indexed as the service indexes them (tantivy +
  MiniLM); each query is ranked by the service's own ``Library.rank`` in three modes:
  keyword only (BM25 with typo tolerance), meaning only, and the hybrid the API uses.
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from knowledge.adapters.embeddings import Embedder
from knowledge.adapters.library_index import IndexedEntry, LibraryIndex
from knowledge.application.library import Library, Mode, Ranking
from knowledge.domain.drafting import title_of
from knowledge.domain.redaction import Person, Redactor

DATASET = Path(__file__).with_name("dataset.json")
CUTOFF = 5
MODES: tuple[Mode, ...] = ("keyword", "meaning", "hybrid")


def load() -> dict[str, Any]:
    return json.loads(DATASET.read_text())  # type: ignore[no-any-return]


def redaction_quality(data: dict[str, Any]) -> dict[str, Any]:
    redactor = Redactor(Person(p["display_name"], p["role"]) for p in data["directory"])
    planted: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    masks = 0
    decoys = kept = 0
    missed: list[str] = []
    for item in data["redaction"]:
        out = redactor.redact(item["text"])
        masks += sum(out.counts.values())
        for kind, values in item["planted"].items():
            for value in values:
                planted[kind] += 1
                if value not in out.text:
                    removed[kind] += 1
                else:
                    missed.append(value)
        for decoy in item["decoys"]:
            decoys += 1
            kept += decoy in out.text
    true_masks = sum(removed.values())
    return {
        "recall": {k: removed[k] / planted[k] for k in sorted(planted)},
        "planted": dict(planted),
        "precision": true_masks / masks if masks else 1.0,
        "masks": masks,
        "decoys_kept": kept / decoys if decoys else 1.0,
        "missed": missed,
    }


class _NoVotes:
    async def votes_for(self, entry_ids: Any) -> dict[str, int]:
        return {}


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = CUTOFF) -> float:
    dcg = sum((2 ** relevant.get(e, 0) - 1) / math.log2(i + 2) for i, e in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    best = sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / best if best else 0.0


async def search_quality(data: dict[str, Any]) -> dict[str, Any]:
    embedder = Embedder()
    index = LibraryIndex()
    texts = [f"{title_of(e['question'])}\n{e['question']}\n{e['answer']}" for e in data["library"]]
    vectors = await embedder.embed_many(texts)
    for version, (entry, vector) in enumerate(zip(data["library"], vectors, strict=True), 1):
        index.upsert(
            IndexedEntry(
                entry_id=entry["id"],
                tenant_id="t",
                program_id="p",
                version=version,
                title=title_of(entry["question"]),
                question=entry["question"],
                answer=entry["answer"],
                topics=entry["topics"],
                expertise_area=None,
                cluster=entry["id"],
                published_at="",
                vector=vector,
            )
        )
    library = Library(None, _NoVotes(), index, embedder, None, Ranking())  # type: ignore[arg-type]
    result: dict[str, Any] = {}
    for name in ("queries", "typos"):
        await embedder.embed_many([q["q"] for q in data[name]])  # warm: time ranking, not the model
        for mode in MODES:
            scores, latencies = [], []
            for query in data[name]:
                started = time.perf_counter()
                ranked = await library.rank("t", "p", query["q"], mode=mode)
                latencies.append((time.perf_counter() - started) * 1000)
                scores.append(ndcg([e for e, _ in ranked], query["relevant"]))
            result[f"{name}/{mode}"] = {
                "ndcg@5": statistics.fmean(scores),
                "median_ms": statistics.median(latencies),
            }
    return result


def main() -> None:
    data = load()
    print(json.dumps(redaction_quality(data), indent=1))
    print(json.dumps(asyncio.run(search_quality(data)), indent=1))


if __name__ == "__main__":
    main()
