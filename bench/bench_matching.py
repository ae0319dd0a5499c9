"""Matching: live re-scoring, bulk rounds and ranking quality (pure CPU, no services).

* ``rescore_one_mentee``: one changed mentee against 100,000 precomputed mentors, vectorised,
  next to a plain-Python loop over the same per-pair code (measured on a 5,000-mentor subset and
  extrapolated linearly to 100,000).
* ``bulk_round``: 5,000 mentees x 1,000 mentors with 1-5 free slots each (seeded): the exact
  optimum (sparse top-k matching with an LP-duality certificate) next to the greedy baseline.
* ``ranking_quality``: NDCG@5 on a small labelled set where mentors and mentees describe the
  same skills in different words, keyword-only scoring vs the full score with embeddings.
* ``encode_rate``: sentences/s of the numpy MiniLM runtime on short texts.

Synthetic profiles in the first two use random unit vectors as embeddings: the cost of the
semantic criterion is one matrix product whatever the vectors say, and encoding 100,000 texts
would take minutes. ``python bench/bench_matching.py [--verify-dense]`` prints the table.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from matching.domain.bulk import BulkProblem, greedy_assignment, solve_bulk_round
from matching.domain.embeddings import SentenceEncoder
from matching.domain.scoring import (
    MatchableProfile,
    ProgramRules,
    build_features,
    prepare_profile,
    profile_text,
    score_matrix,
    score_one_mentee_against,
    score_pair,
)

AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
RULES = ProgramRules()
EMBEDDING_DIM = 384

SKILL_POOL = [
    "Python", "Go", "Java", "TypeScript", "JS", "React", "frontend", "Kubernetes", "k8s",
    "Docker", "AWS", "GCP", "Terraform", "SQL", "PostgreSQL", "Kafka", "Spark", "ML",
    "machine learning", "deep learning", "NLP", "data science", "statistics", "UX",
    "user research", "product management", "PM", "roadmapping", "agile", "scrum",
    "leadership", "people management", "public speaking", "negotiation", "career growth",
    "cybersecurity", "GDPR", "information security", "accounting", "tax law", "finance",
    "marketing", "SEO", "sales", "customer success", "supply chain", "quality assurance",
    "manufacturing", "aerospace", "composite materials", "mentoring", "coaching",
    "system design", "microservices", "event-driven architecture", "SRE", "observability",
    "mobile development", "iOS", "Android",
]  # fmt: skip
TIMEZONES = [
    "America/Vancouver", "America/Edmonton", "America/Toronto", "America/Halifax",
    "America/St_Johns", "Europe/London", "Europe/Paris", "Africa/Lagos", "Asia/Kolkata",
    "Asia/Singapore", "Australia/Sydney", "UTC",
]  # fmt: skip
INDUSTRIES = ["Fintech", "Health", "Retail", "Aerospace", "Energy", "Public sector", "Telecom"]
FUNCTIONS = ["Engineering", "Product", "Design", "Data", "Operations", "Finance"]


def _timed(function: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median wall time in ms over ``repeat`` runs, and the last result."""
    timings = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


def synthetic_profiles(
    count: int, role: str, seed: int, *, capacity_range: tuple[int, int] = (1, 3)
) -> list[MatchableProfile]:
    rng = random.Random(seed)
    vectors = np.random.default_rng(seed).standard_normal((count, EMBEDDING_DIM))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    profiles = []
    for index in range(count):
        languages = ["English"] if rng.random() < 0.85 else []
        if rng.random() < 0.3:
            languages.append("French")
        if rng.random() < 0.1:
            languages.append("Spanish")
        skills = rng.sample(SKILL_POOL, rng.randint(2, 6))
        profiles.append(
            MatchableProfile(
                member_id=f"{role}-{index:06d}",
                user_id=f"user-{role}-{index:06d}",
                organization_id=f"org-{rng.randrange(5)}",
                roles=frozenset({role}),
                mentor_approved=role == "mentor" and rng.random() < 0.95,
                timezone=rng.choice(TIMEZONES),
                languages=tuple(languages or ["French"]),
                industry=rng.choice(INDUSTRIES),
                job_function=rng.choice(FUNCTIONS),
                years_experience=float(
                    rng.randint(8, 35) if role == "mentor" else rng.randint(0, 12)
                ),
                skills=tuple(skills[:3]) if role == "mentor" else tuple(skills[:1]),
                expertise=tuple(skills[3:]) if role == "mentor" else (),
                goals=() if role == "mentor" else tuple(skills[1:]),
                keywords=tuple(rng.sample(SKILL_POOL, 2)),
                capacity=rng.randint(*capacity_range) if role == "mentor" else 0,
                embedding=vectors[index],
            )
        )
    return profiles


# --------------------------------------------------------------------------- (a) re-score


def rescore_one_mentee(
    n_candidates: int = 100_000, loop_subset: int = 5_000, seed: int = 1
) -> dict[str, Any]:
    """One changed mentee against a large precomputed mentor pool: numpy vs a Python loop."""
    mentors = synthetic_profiles(n_candidates, "mentor", seed)
    # A mentee most mentors can take (shared language), so the loop does the full work per pair.
    changed_mentee = replace(
        synthetic_profiles(1, "mentee", seed + 1)[0], languages=("English", "French")
    )

    precompute_ms, pool = _timed(lambda: build_features(mentors, "mentor", at=AT))
    vectorised_ms, result = _timed(
        lambda: score_one_mentee_against(pool, changed_mentee, RULES, at=AT), repeat=7
    )

    prepared_mentee = prepare_profile(changed_mentee, AT)
    subset = pool.prepared[:loop_subset]  # same precomputed per-profile data, no numpy batch

    def python_loop() -> list[float | None]:
        return [score_pair(mentor, prepared_mentee, RULES) for mentor in subset]

    loop_ms, loop_scores = _timed(python_loop, repeat=3)
    vector_scores = result.scores[:loop_subset, 0]
    max_disagreement = max(
        (abs(a - b) for a, b in zip(loop_scores, vector_scores, strict=True) if a is not None),
        default=0.0,
    )
    loop_extrapolated_ms = loop_ms * n_candidates / loop_subset
    return {
        "candidates": n_candidates,
        "feasible": int(result.feasible.sum()),
        "precompute_pool_ms": precompute_ms,
        "vectorised_ms": vectorised_ms,
        "python_loop_subset": loop_subset,
        "python_loop_subset_ms": loop_ms,
        "python_loop_ms_extrapolated": loop_extrapolated_ms,
        "speedup": loop_extrapolated_ms / vectorised_ms,
        "max_score_disagreement": max_disagreement,
        "note": (
            f"Python loop measured on {loop_subset:,} mentors, "
            f"scaled x{n_candidates / loop_subset:g}"
        ),
    }


# --------------------------------------------------------------------------- (b) bulk round


def bulk_round(
    n_mentees: int = 5_000, n_mentors: int = 1_000, seed: int = 2, verify_dense: bool = False
) -> dict[str, Any]:
    """A formal program's round at scale: exact optimum vs greedy."""
    mentors = synthetic_profiles(n_mentors, "mentor", seed, capacity_range=(1, 5))
    mentees = synthetic_profiles(n_mentees, "mentee", seed + 1)
    scoring_ms, scores = _timed(lambda: score_matrix(mentors, mentees, RULES, at=AT))
    problem = BulkProblem.from_scores(scores, {m.member_id: m.free_slots for m in mentors})

    optimal_ms, optimal = _timed(lambda: solve_bulk_round(problem))
    greedy_ms, greedy = _timed(lambda: greedy_assignment(problem))
    row: dict[str, Any] = {
        "mentees": n_mentees,
        "mentors": n_mentors,
        "slots": sum(problem.capacities),
        "feasible_pairs": int(problem.feasible.sum()),
        "scoring_ms": scoring_ms,
        "optimal_ms": optimal_ms,
        "optimal_method": optimal.method,
        "certificate_rounds": optimal.stats.get("rounds", 0),
        "candidate_pairs": optimal.stats.get("candidate_pairs", 0),
        "optimal_total": optimal.total_score,
        "optimal_matched": len(optimal.matches),
        "greedy_ms": greedy_ms,
        "greedy_total": greedy.total_score,
        "greedy_matched": len(greedy.matches),
        "gain_over_greedy_pct": 100 * (optimal.total_score / greedy.total_score - 1),
    }
    if verify_dense:
        dense_ms, dense = _timed(lambda: solve_bulk_round(problem, method="dense"))
        row["dense_lsa_ms"] = dense_ms
        row["dense_lsa_total"] = dense.total_score
    return row


# --------------------------------------------------------------------------- (c) quality

# topic -> (mentor descriptions, mentee descriptions): same skills, different words.
LABELLED_TOPICS: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    "ml": (
        [
            {"skills": ["machine learning", "Python"], "headline": "Builds recommendation systems"},
            {"skills": ["deep learning", "PyTorch"], "headline": "Neural network researcher"},
            {
                "skills": ["predictive modelling", "statistics"],
                "headline": "Applied data scientist",
            },
        ],
        [
            {"goals": ["ML"], "headline": "I want to learn ML and build recommender models"},
            {"goals": ["AI models", "neural nets"], "headline": "Junior analyst moving into AI"},
        ],
    ),
    "kubernetes": (
        [
            {"skills": ["Kubernetes", "Helm"], "headline": "Platform engineer"},
            {"skills": ["container orchestration"], "headline": "Runs cloud-native clusters"},
            {"skills": ["GitOps", "cluster operations"], "headline": "SRE for container platforms"},
        ],
        [
            {"goals": ["k8s"], "headline": "Need help with k8s cluster administration"},
            {"goals": ["running containers in production"], "headline": "Backend dev, new to ops"},
        ],
    ),
    "frontend": (
        [
            {"skills": ["React UI development"], "headline": "Builds accessible web interfaces"},
            {"skills": ["CSS", "design systems"], "headline": "UI engineer"},
            {"skills": ["single-page applications", "TypeScript"], "headline": "Web app developer"},
        ],
        [
            {"goals": ["frontend"], "headline": "Wants to become a frontend developer"},
            {"goals": ["web UI", "JS"], "headline": "Learning to build browser interfaces"},
        ],
    ),
    "product": (
        [
            {"skills": ["product management"], "headline": "Senior product manager in fintech"},
            {"skills": ["roadmapping", "product discovery"], "headline": "Head of product"},
            {"skills": ["product strategy"], "headline": "Former engineer turned product lead"},
        ],
        [
            {"goals": ["PM"], "headline": "Moving from engineering into product management"},
            {"goals": ["deciding what to build"], "headline": "Founder learning prioritisation"},
        ],
    ),
    "security": (
        [
            {"skills": ["information security governance"], "headline": "CISO"},
            {"skills": ["GDPR compliance", "privacy"], "headline": "Data protection officer"},
            {"skills": ["penetration testing"], "headline": "Ethical hacker"},
        ],
        [
            {"goals": ["cybersecurity"], "headline": "Je cherche une mentore en cybersécurité"},
            {"goals": ["protecting customer data"], "headline": "Developer handling personal data"},
        ],
    ),
    "leadership": (
        [
            {"skills": ["engineering management"], "headline": "VP engineering"},
            {"skills": ["people management", "coaching"], "headline": "Leads managers of managers"},
            {"skills": ["team leadership"], "headline": "Director, grew teams from 5 to 60"},
        ],
        [
            {"goals": ["first-time manager"], "headline": "Just promoted to lead my team"},
            {"goals": ["leading people"], "headline": "Leadership coaching for a new manager"},
        ],
    ),
    "finance": (
        [
            {"skills": ["tax law", "accounting"], "headline": "Certified accountant"},
            {"skills": ["bookkeeping"], "headline": "Runs books for small businesses"},
            {"skills": ["corporate finance"], "headline": "CFO of a scale-up"},
        ],
        [
            {"goals": ["taxes for my company"], "headline": "Small business owner"},
            {
                "goals": ["financial statements"],
                "headline": "Founder who must read a balance sheet",
            },
        ],
    ),
    "career": (
        [
            {"skills": ["salary negotiation"], "headline": "Recruiter turned career coach"},
            {"skills": ["career growth", "promotions"], "headline": "Engineering career mentor"},
            {"skills": ["job interviews"], "headline": "Hiring manager"},
        ],
        [
            {"goals": ["raise"], "headline": "How do I negotiate a promotion and a salary raise?"},
            {"goals": ["next career step"], "headline": "Feeling stuck at the same level"},
        ],
    ),
}


def _dcg(relevances: list[float]) -> float:
    return sum((2**rel - 1) / math.log2(rank + 2) for rank, rel in enumerate(relevances))


def _labelled_profiles() -> tuple[list[MatchableProfile], list[MatchableProfile], dict[str, str]]:
    rng = random.Random(3)
    mentor_specs = [(topic, spec) for topic, (ms, _) in LABELLED_TOPICS.items() for spec in ms]
    rng.shuffle(mentor_specs)  # ids carry no hint of the topic, so ties can't help
    topic_of: dict[str, str] = {}
    common: dict[str, Any] = {"timezone": "Europe/Paris", "languages": ("English",)}
    mentors: list[MatchableProfile] = []
    for index, (topic, spec) in enumerate(mentor_specs):
        member_id = f"mentor-{index:02d}"
        topic_of[member_id] = topic
        mentors.append(
            MatchableProfile(
                member_id=member_id,
                user_id=f"user-{member_id}",
                organization_id="org",
                roles=frozenset({"mentor"}),
                mentor_approved=True,
                capacity=3,
                skills=tuple(spec.get("skills", ())),
                headline=spec.get("headline", ""),
                **common,
            )
        )
    mentees: list[MatchableProfile] = []
    for topic, (_, mentee_specs) in LABELLED_TOPICS.items():
        for spec in mentee_specs:
            member_id = f"mentee-{len(mentees):02d}"
            topic_of[member_id] = topic
            mentees.append(
                MatchableProfile(
                    member_id=member_id,
                    user_id=f"user-{member_id}",
                    organization_id="org",
                    roles=frozenset({"mentee"}),
                    goals=tuple(spec.get("goals", ())),
                    headline=spec.get("headline", ""),
                    **common,
                )
            )
    return mentors, mentees, topic_of


def _mean_ndcg_at(k: int, result: Any, topic_of: dict[str, str]) -> float:
    values = []
    for mentee_id in result.mentee_ids:
        ranked = [mentor_id for mentor_id, _ in result.ranked_mentors(mentee_id)]
        gains = [1.0 if topic_of[m] == topic_of[mentee_id] else 0.0 for m in ranked]
        ideal = sorted(gains, reverse=True)
        values.append(_dcg(gains[:k]) / _dcg(ideal[:k]))
    return statistics.fmean(values)


def ranking_quality(k: int = 5) -> dict[str, Any]:
    """NDCG@k when the same skills are described in different words."""
    mentors, mentees, topic_of = _labelled_profiles()
    encoder = SentenceEncoder()
    mentor_vectors = encoder.encode([profile_text(p) for p in mentors])
    mentee_vectors = encoder.encode([profile_text(p) for p in mentees])
    with_vectors_mentors = [
        replace(p, embedding=v) for p, v in zip(mentors, mentor_vectors, strict=True)
    ]
    with_vectors_mentees = [
        replace(p, embedding=v) for p, v in zip(mentees, mentee_vectors, strict=True)
    ]
    keyword_rules = ProgramRules(weights={"skills": 0.5, "keywords": 0.5})
    keyword_only = score_matrix(mentors, mentees, keyword_rules, at=AT)
    full = score_matrix(with_vectors_mentors, with_vectors_mentees, RULES, at=AT)
    return {
        "mentors": len(mentors),
        "mentees": len(mentees),
        "relevant_per_mentee": 3,
        f"ndcg@{k}_keyword_only": _mean_ndcg_at(k, keyword_only, topic_of),
        f"ndcg@{k}_full_with_embeddings": _mean_ndcg_at(k, full, topic_of),
    }


# --------------------------------------------------------------------------- (d) encoder


def encode_rate(n_sentences: int = 256, batch_size: int = 32) -> dict[str, Any]:
    """Sentences per second for short profile-like texts (model already loaded)."""
    rng = random.Random(4)
    texts = [
        f"{rng.choice(FUNCTIONS)} professional in {rng.choice(INDUSTRIES)}: "
        + ", ".join(rng.sample(SKILL_POOL, 3))
        for _ in range(n_sentences)
    ]
    encoder = SentenceEncoder()
    load_ms, _ = _timed(lambda: encoder.encode(["warm up"]))
    elapsed_ms, _ = _timed(lambda: encoder.encode(texts, batch_size=batch_size), repeat=3)
    one_ms, _ = _timed(lambda: encoder.encode([texts[0]]), repeat=5)
    return {
        "sentences": n_sentences,
        "batch_size": batch_size,
        "first_call_ms (load)": load_ms,
        "sentences_per_s": n_sentences / (elapsed_ms / 1000),
        "single_text_ms": one_ms,
    }


# --------------------------------------------------------------------------- runner


def run(verify_dense: bool = False) -> list[dict[str, object]]:
    rescore = rescore_one_mentee()
    bulk = bulk_round(verify_dense=verify_dense)
    quality = ranking_quality()
    encoding = encode_rate()
    rows: list[dict[str, object]] = [
        {
            "measure": f"re-score 1 mentee vs {rescore['candidates']:,} mentors, vectorised",
            "ms": rescore["vectorised_ms"],
            "detail": f"pool precompute {rescore['precompute_pool_ms']:,.0f} ms (once)",
        },
        {
            "measure": "same, plain-Python loop over the per-pair scorer",
            "ms": rescore["python_loop_ms_extrapolated"],
            "detail": rescore["note"],
        },
        {
            "measure": "re-score speed-up (loop / vectorised)",
            "ratio": rescore["speedup"],
            "detail": f"max |score diff| {rescore['max_score_disagreement']:.1e}",
        },
        {
            "measure": (
                f"bulk round {bulk['mentees']:,} mentees x {bulk['mentors']:,} mentors "
                f"({bulk['slots']:,} slots), optimal"
            ),
            "ms": bulk["optimal_ms"],
            "total": bulk["optimal_total"],
            "matched": bulk["optimal_matched"],
            "detail": (
                f"{bulk['optimal_method']}; {bulk['certificate_rounds']} round(s); "
                f"score matrix {bulk['scoring_ms']:,.0f} ms"
            ),
        },
        {
            "measure": "bulk round, greedy baseline",
            "ms": bulk["greedy_ms"],
            "total": bulk["greedy_total"],
            "matched": bulk["greedy_matched"],
            "ratio": bulk["optimal_total"] / bulk["greedy_total"],
            "detail": f"optimal is {bulk['gain_over_greedy_pct']:.2f} % higher",
        },
    ]
    if verify_dense:
        rows.append(
            {
                "measure": "bulk round, dense linear_sum_assignment (check)",
                "ms": bulk["dense_lsa_ms"],
                "total": bulk["dense_lsa_total"],
            }
        )
    rows += [
        {
            "measure": (
                f"NDCG@5 keyword-only ({quality['mentees']} mentees, {quality['mentors']} mentors)"
            ),
            "ndcg@5": quality["ndcg@5_keyword_only"],
        },
        {
            "measure": "NDCG@5 full score with embeddings",
            "ndcg@5": quality["ndcg@5_full_with_embeddings"],
        },
        {
            "measure": f"MiniLM encode, short texts, batch {encoding['batch_size']}",
            "sentences/s": encoding["sentences_per_s"],
            "ms": encoding["single_text_ms"],
            "detail": "ms = one text alone",
        },
    ]
    return rows


if __name__ == "__main__":
    from run import print_table

    started = time.perf_counter()
    print_table("matching", run(verify_dense="--verify-dense" in sys.argv[1:]))
    print(f"({time.perf_counter() - started:.1f} s)")
