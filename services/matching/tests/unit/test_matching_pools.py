"""Live re-scoring: after any sequence of single-member changes, every mentee's served list
equals a full re-scoring from scratch (the incremental path never drifts)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain.features import build_features
from matching.domain.pool import ProgramPool
from matching.domain.topk import TopList
from matching.domain.vectorised import score_features

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SKILLS = ["python", "go", "kubernetes", "ux", "sql", "leadership"]
LANGUAGES = ["en", "fr", "es"]
ZONES = ["Europe/Paris", "America/Toronto", "Asia/Tokyo", ""]

profile = st.fixed_dictionaries(
    {
        "roles": st.sampled_from([["mentor"], ["mentee"], ["mentor", "mentee"], ["admin"]]),
        "approved": st.booleans(),
        "skills": st.lists(st.sampled_from(SKILLS), max_size=3, unique=True),
        "goals": st.lists(st.sampled_from(SKILLS), max_size=3, unique=True),
        "languages": st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True),
        "timezone": st.sampled_from(ZONES),
        "years": st.one_of(st.none(), st.integers(0, 30)),
        "capacity": st.integers(0, 3),
        "load": st.integers(0, 3),
        "accepting": st.booleans(),
    }
)
operation = st.tuples(st.integers(0, 11), st.one_of(st.none(), profile))


def doc(index: int, p: dict[str, Any], stamp: int) -> dict[str, Any]:
    return {
        "tenant_id": "t",
        "program_id": "p",
        "member_id": f"m{index:02d}",
        "user_id": f"u{index:02d}",
        "organization_id": "org",
        "profile_version": stamp,
        "pool_seq": stamp,
        "roles": p["roles"],
        "mentor_approved": p["approved"] and "mentor" in p["roles"],
        "load": p["load"],
        "snapshot": {
            "display_name": f"Member {index}",
            "skills": p["skills"],
            "goals": p["goals"],
            "languages": p["languages"],
            "timezone": p["timezone"] or None,
            "years_experience": p["years"],
            "capacity": p["capacity"],
            "accepting_mentees": p["accepting"],
        },
    }


def expected(pool: ProgramPool, served: int) -> dict[str, list[tuple[str, float]]]:
    mentors = [pool.members[i].prepared for i in pool.mentor_ids()]
    mentees = pool.mentee_ids()
    if not mentees:
        return {}
    result = score_features(
        build_features(mentors, "mentor"),
        build_features([pool.members[j].prepared for j in mentees], "mentee"),
        pool.rules,
    )
    return {j: result.ranked_mentors(j, limit=served) for j in mentees}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    initial=st.lists(profile, min_size=0, max_size=12),
    operations=st.lists(operation, max_size=25),
    depth=st.integers(1, 4),
)
def test_incremental_lists_equal_full_rescoring(
    initial: list[dict[str, Any]], operations: list[tuple[int, dict[str, Any] | None]], depth: int
) -> None:
    served = 2
    pool = ProgramPool("t", "p", served=served, depth=max(depth, served))
    pool.load([doc(i, p, 1) for i, p in enumerate(initial)], NOW)
    stamp = 1
    for index, change in operations:
        stamp += 1
        member_id = f"m{index:02d}"
        new = None if change is None else doc(index, change, stamp)
        pool.apply_document(new, member_id, NOW)
        want = expected(pool, served)
        got = {j: pool.ranked(j, served) for j in pool.mentee_ids()}
        assert set(got) == set(want)
        for mentee_id, ranked in want.items():
            assert [m for m, _ in got[mentee_id]] == [m for m, _ in ranked], mentee_id
            assert np.allclose([s for _, s in got[mentee_id]], [s for _, s in ranked])
        assert set(pool.tops) == set(pool.mentee_ids())


@given(
    scores=st.lists(st.one_of(st.just(math.nan), st.floats(0, 1)), max_size=30),
    updates=st.lists(
        st.tuples(st.integers(0, 29), st.one_of(st.none(), st.floats(0, 1))), max_size=30
    ),
    depth=st.integers(1, 6),
)
def test_top_list_stays_an_exact_prefix(
    scores: list[float], updates: list[tuple[int, float | None]], depth: int
) -> None:
    ids = [f"m{i:02d}" for i in range(30)]
    current = {ids[i]: s for i, s in enumerate(scores) if not math.isnan(s)}
    top = TopList.from_scores(ids[: len(scores)], np.array(scores, dtype=float), depth)
    for index, score in updates:
        top.update(ids[index], score, depth)
        if score is None:
            current.pop(ids[index], None)
        else:
            current[ids[index]] = score
        ranking = sorted(current.items(), key=lambda kv: (-kv[1], kv[0]))
        assert [m for m, _ in top.served(depth)] == [m for m, _ in ranking[: len(top.keys)]]
        if top.threshold is None:
            assert len(top.keys) == len(ranking)
