"""Knowledge: redaction recall/precision and library search quality on the labelled set
(``bench/quality_knowledge``), hybrid and meaning-only search against keyword-only search
measured in the same run, and what a search costs (ranking, and embedding the query)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "quality_knowledge"))

import evaluate

from knowledge.adapters.embeddings import SentenceEncoder


async def run() -> list[dict[str, Any]]:
    data = evaluate.load()
    redaction = evaluate.redaction_quality(data)
    rows: list[dict[str, Any]] = [
        {
            "metric": f"redaction recall: {kind}",
            "value": value,
            "n": redaction["planted"][kind],
            "goal": 1.0,
        }
        for kind, value in redaction["recall"].items()
    ]
    rows.append(
        {
            "metric": "redaction precision (planted / all masks)",
            "value": redaction["precision"],
            "n": redaction["masks"],
        }
    )
    rows.append({"metric": "decoys left intact", "value": redaction["decoys_kept"]})
    search = await evaluate.search_quality(data)
    for name, label in (("queries", "paraphrased questions"), ("typos", "misspelt keywords")):
        keyword = search[f"{name}/keyword"]["ndcg@5"]
        for mode in evaluate.MODES:
            result = search[f"{name}/{mode}"]
            rows.append(
                {
                    "metric": f"NDCG@5 {label}: {mode}",
                    "value": result["ndcg@5"],
                    "n": len(data[name]),
                    "vs keyword-only": result["ndcg@5"] / keyword if keyword else None,
                    "rank ms (median)": result["median_ms"],
                }
            )
    ours = _embed_ms(SentenceEncoder(), data)
    # the same run's baseline: matching's encoder of the same model on the same queries
    from matching.adapters.minilm import SentenceEncoder as MatchingEncoder

    theirs = _embed_ms(MatchingEncoder(), data)
    rows.append(
        {
            "metric": "embed one query, ms (median)",
            "value": ours,
            "n": len(data["queries"]),
            "vs matching's encoder": ours / theirs,
        }
    )
    return rows


def _embed_ms(encoder: Any, data: dict[str, Any]) -> float:
    encoder.encode(["warm up"])
    timings = []
    for query in data["queries"]:
        started = time.perf_counter()
        encoder.encode([query["q"]])
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)
