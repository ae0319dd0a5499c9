"""Matching quality on a labelled set: NDCG@5 of the real scorer against two baselines.

``python bench/quality/evaluate.py`` scores every mentee of ``dataset.json`` against every
mentor with the domain scoring and the MiniLM runtime (offline, from the installed model
package) and prints NDCG@5 overall and per mentee language for the full score, the keyword
criterion alone and the embedding criterion alone. The labels come from topics, never
from the scorer's vocabulary (see the dataset's ``about``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matching.adapters.minilm import SentenceEncoder
from matching.domain.matchable import MatchableProfile, TextEncoder, embed_profiles
from matching.domain.rules import ProgramRules
from matching.domain.vectorised import score_matrix

DATASET = Path(__file__).with_name("dataset.json")
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CUTOFF = 5
ZONES = ("Europe/Paris", "America/Toronto", "America/Vancouver", "Europe/London")

#: The scorers compared: the program's default weights, and each baseline alone.
VARIANTS: Mapping[str, ProgramRules] = {
    "full": ProgramRules(require_shared_language=False),
    "keyword-only": ProgramRules(weights={"keywords": 1.0}, require_shared_language=False),
    "embedding-only": ProgramRules(weights={"semantic": 1.0}, require_shared_language=False),
}


@dataclass(frozen=True)
class LabelledSet:
    mentors: list[MatchableProfile]
    mentees: list[MatchableProfile]
    language: dict[str, str]  # mentee id -> "en" | "fr"
    relevance: dict[str, dict[str, int]]  # mentee id -> mentor id -> 2 | 1


def _mentor(index: int, row: Mapping[str, Any]) -> MatchableProfile:
    return MatchableProfile(
        member_id=row["id"],
        user_id="u-" + row["id"],
        organization_id=f"org-{index % 5}",
        roles=frozenset({"mentor"}),
        mentor_approved=True,
        timezone=ZONES[index % len(ZONES)],
        languages=tuple(row["languages"]),
        industry=row["industry"],
        job_function=row["job_function"],
        years_experience=10 + index % 12,
        skills=tuple(row["skills"]),
        expertise=tuple(row["expertise"]),
        headline=row["headline"],
        bio=row["bio"],
        capacity=2,
    )


def _mentee(index: int, row: Mapping[str, Any]) -> MatchableProfile:
    return MatchableProfile(
        member_id=row["id"],
        user_id="u-" + row["id"],
        organization_id=f"org-{index % 7}",
        roles=frozenset({"mentee"}),
        timezone=ZONES[(index + 1) % len(ZONES)],
        languages=tuple(row["languages"]),
        industry=row["industry"],
        job_function=row["job_function"],
        years_experience=1 + index % 5,
        goals=tuple(row["goals"]),
        interests=tuple(row["interests"]),
        headline=row["headline"],
        bio=row["bio"],
    )


def load_set(path: Path = DATASET) -> LabelledSet:
    data = json.loads(path.read_text())
    by_topic: dict[str, list[str]] = {}
    for row in data["mentors"]:
        if row["topic"]:
            by_topic.setdefault(row["topic"], []).append(row["id"])
    relevance = {}
    for row in data["mentees"]:
        graded = {m: 1 for m in by_topic.get(row["secondary_topic"], [])}
        graded.update({m: 2 for m in by_topic[row["main_topic"]]})
        relevance[row["id"]] = graded
    return LabelledSet(
        mentors=[_mentor(i, row) for i, row in enumerate(data["mentors"])],
        mentees=[_mentee(i, row) for i, row in enumerate(data["mentees"])],
        language={row["id"]: row["language"] for row in data["mentees"]},
        relevance=relevance,
    )


def ndcg_at(ranked: Sequence[str], relevance: Mapping[str, int], cutoff: int = CUTOFF) -> float:
    """Normalised discounted cumulative gain (gain 2^rel - 1) of the first ``cutoff``."""

    def dcg(grades: Sequence[int]) -> float:
        return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(grades[:cutoff]))

    ideal = dcg(sorted(relevance.values(), reverse=True))
    return dcg([relevance.get(m, 0) for m in ranked]) / ideal if ideal > 0 else 0.0


def evaluate(labelled: LabelledSet, rules: ProgramRules) -> dict[str, float]:
    """Mean NDCG@5 over all mentees and per mentee language."""
    result = score_matrix(labelled.mentors, labelled.mentees, rules, at=AT)
    per_language: dict[str, list[float]] = {}
    for mentee in labelled.mentees:
        ranked = [m for m, _ in result.ranked_mentors(mentee.member_id, CUTOFF)]
        value = ndcg_at(ranked, labelled.relevance[mentee.member_id])
        per_language.setdefault("overall", []).append(value)
        per_language.setdefault(labelled.language[mentee.member_id], []).append(value)
    return {k: sum(v) / len(v) for k, v in per_language.items()}


def embedded(labelled: LabelledSet, encoder: TextEncoder) -> LabelledSet:
    return LabelledSet(
        mentors=embed_profiles(labelled.mentors, encoder),
        mentees=embed_profiles(labelled.mentees, encoder),
        language=labelled.language,
        relevance=labelled.relevance,
    )


def run(encoder: TextEncoder | None = None) -> dict[str, dict[str, float]]:
    labelled = embedded(load_set(), encoder or SentenceEncoder())
    return {name: evaluate(labelled, rules) for name, rules in VARIANTS.items()}


def main() -> None:
    results = run()
    print(f"NDCG@{CUTOFF}        overall    en      fr")
    for name, values in results.items():
        print(f"{name:<15} {values['overall']:.3f}   {values['en']:.3f}   {values['fr']:.3f}")


if __name__ == "__main__":
    main()
