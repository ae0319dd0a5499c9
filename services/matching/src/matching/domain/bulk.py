"""Bulk matching for a formal program's round: the best set of pairs for everyone at once.

The round is a maximum-weight b-matching: each mentee gets at most one mentor, each mentor at
most ``capacity`` mentees, only feasible pairs that are not forbidden, pinned pairs always, and
the total score is as large as possible. Mentors are expanded into one column per free slot and
the problem is solved as an assignment problem, with "stay unmatched" columns so that nobody is
forced into an infeasible pair:

* ``dense``: ``scipy.optimize.linear_sum_assignment`` over all slots (exact; cubic, so for
  rounds up to a few thousand slots x mentees);
* ``sparse``: each mentee keeps only its ``candidate_limit`` best mentors, the sparse problem is
  solved with ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``, and the answer is
  then *certified* against every excluded pair with LP duality (node potentials from
  Bellman-Ford on the residual graph). Excluded pairs that could still improve the total are
  added back and the problem is re-solved, so the result is exact, not a heuristic.

``greedy_assignment`` (best pair first) is the baseline the optimum is compared with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np

from matching.domain.bulk_problem import (
    BulkMatchingError,
    BulkProblem,
    BulkResult,
    CanonicalRound,
    Pair,
    ProposedMatch,
    ReasonCode,
    UnmatchedMentee,
    canonical_round,
)
from matching.domain.bulk_solvers import slots, solve_dense, solve_sparse
from matching.domain.bulk_unmatched import why_unmatched

__all__ = [
    "BulkMatchingError",
    "BulkProblem",
    "BulkResult",
    "Method",
    "Pair",
    "ProposedMatch",
    "ReasonCode",
    "UnmatchedMentee",
    "greedy_assignment",
    "solve_bulk_round",
]

Method = Literal["auto", "dense", "sparse"]

# Small enough never to trade away measurable score (n * bonus < 1e-9 below 10,000 mentees).
MATCH_BONUS = 1e-13
# Dense solves above this many (slot x mentee) cells switch to the sparse, certified solver.
DENSE_CELL_LIMIT = 4_000_000


def solve_bulk_round(
    problem: BulkProblem, *, method: Method = "auto", candidate_limit: int = 25
) -> BulkResult:
    """The maximum-total-score matching of the round (exact; see the module docstring)."""
    if candidate_limit < 1:
        raise ValueError("candidate_limit must be at least 1")
    round_ = canonical_round(problem)
    gain = round_.scores + MATCH_BONUS
    capacity = round_.remaining_capacity
    cells = int(slots(capacity, round_.allowed).size) * int(round_.allowed.any(axis=0).sum())
    chosen = method if method != "auto" else ("dense" if cells <= DENSE_CELL_LIMIT else "sparse")
    stats: dict[str, float] = {"slot_x_mentee_cells": cells}
    if chosen == "dense":
        assignment = solve_dense(gain, round_.allowed, capacity)
        name = "linear_sum_assignment"
    else:
        try:
            assignment, sparse_stats = solve_sparse(gain, round_.allowed, capacity, candidate_limit)
        except RuntimeError:  # includes NegativeCycleError
            # Rounding can defeat the certificate on pathological ties; the dense solver is
            # exact regardless, only slower.
            assignment, sparse_stats = solve_dense(gain, round_.allowed, capacity), {}
            name = "linear_sum_assignment (sparse certificate failed)"
        else:
            name = "min_weight_full_bipartite_matching (top-k, certified)"
        stats.update(sparse_stats)
    return _result(round_, assignment, method=name, optimal=True, stats=stats)


def greedy_assignment(problem: BulkProblem) -> BulkResult:
    """Baseline: pins first, then repeatedly the best remaining allowed pair."""
    round_ = canonical_round(problem)
    assigned: list[int] = [-1] * len(round_.mentee_ids)
    capacity: list[int] = round_.remaining_capacity.tolist()
    mentor_of_pair, mentee_of_pair = np.nonzero(round_.allowed)
    # Best score first; ties by mentee id, then mentor id (canonical indices are id order).
    order = np.lexsort(
        (mentor_of_pair, mentee_of_pair, -round_.scores[mentor_of_pair, mentee_of_pair])
    )
    unassigned = len(assigned)
    free_slots = sum(capacity)
    for mentor, mentee in zip(
        mentor_of_pair[order].tolist(), mentee_of_pair[order].tolist(), strict=True
    ):
        if unassigned == 0 or free_slots == 0:
            break
        if assigned[mentee] < 0 and capacity[mentor] > 0:
            assigned[mentee] = mentor
            capacity[mentor] -= 1
            unassigned -= 1
            free_slots -= 1
    assignment = np.array(assigned, dtype=np.int64)
    return _result(round_, assignment, method="greedy", optimal=False, stats={})


def _result(
    round_: CanonicalRound,
    assignment: np.ndarray,
    *,
    method: str,
    optimal: bool,
    stats: Mapping[str, float],
) -> BulkResult:
    matches: list[ProposedMatch] = []
    unmatched: list[UnmatchedMentee] = []
    for mentee, mentee_id in enumerate(round_.mentee_ids):
        pinned_to = round_.pinned_mentor[mentee]
        mentor = pinned_to if pinned_to >= 0 else assignment[mentee]
        if mentor >= 0:
            matches.append(
                ProposedMatch(
                    mentor_id=round_.mentor_ids[mentor],
                    mentee_id=mentee_id,
                    score=float(round_.scores[mentor, mentee]),
                    pinned=bool(pinned_to >= 0),
                )
            )
        else:
            unmatched.append(why_unmatched(round_, mentee))
    matches.sort(key=lambda m: (m.mentor_id, m.mentee_id))
    total = math.fsum(m.score for m in matches)
    return BulkResult(
        matches=tuple(matches),
        unmatched=tuple(unmatched),
        total_score=total,
        method=method,
        optimal=optimal,
        stats=dict(stats),
    )
