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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matching.domain.explanations import CONSTRAINT_MESSAGES
from matching.domain.pair_rules import CONSTRAINTS, MENTOR_AVAILABILITY_CONSTRAINTS
from matching.domain.vectorised import ScoreResult

Pair = tuple[str, str]  # (mentor_id, mentee_id)
Method = Literal["auto", "dense", "sparse"]

# Matching someone is preferred over leaving them unmatched even when the pair scores 0.
# Small enough never to trade away measurable score (n * bonus < 1e-9 below 10,000 mentees).
MATCH_BONUS = 1e-13
# Dense solves above this many (slot x mentee) cells switch to the sparse, certified solver.
DENSE_CELL_LIMIT = 4_000_000
CERTIFICATE_TOLERANCE = 1e-9
MAX_CERTIFICATE_ROUNDS = 25

# "no feasible mentor: <why>" when one pair rule blocks every mentor with free capacity.
_BLOCKED_BY_RULE: Mapping[str, str] = {
    "same_person": "the only mentor with free capacity is the mentee themself",
    "organization_rule": "the organization rule excludes every mentor with free capacity",
    "no_shared_language": "no shared language with any mentor with free capacity",
    "timezone_too_far": "too many hours apart from every mentor with free capacity",
    "experience_gap_out_of_range": (
        "experience gap out of the program's range with every mentor with free capacity"
    ),
}
_CAPACITY_CONSTRAINTS = frozenset({"mentor_full", "mentor_not_accepting"})


class BulkMatchingError(ValueError):
    """The round cannot be solved as asked (e.g. a pinned pair breaks a rule)."""


@dataclass(frozen=True)
class BulkProblem:
    """One round: who can be matched to whom, how well, and the admin's pins and vetoes.

    ``scores``/``feasible`` are (n_mentors, n_mentees); ``capacities`` are free slots.
    ``violations`` (optional, from ``ScoreResult``) lets unmatched mentees be told why.
    """

    mentor_ids: tuple[str, ...]
    capacities: tuple[int, ...]
    mentee_ids: tuple[str, ...]
    scores: np.ndarray
    feasible: np.ndarray
    pinned: frozenset[Pair] = frozenset()
    forbidden: frozenset[Pair] = frozenset()
    violations: Mapping[str, np.ndarray] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mentor_ids", tuple(self.mentor_ids))
        object.__setattr__(self, "mentee_ids", tuple(self.mentee_ids))
        object.__setattr__(self, "capacities", tuple(int(c) for c in self.capacities))
        object.__setattr__(self, "pinned", frozenset(self.pinned))
        object.__setattr__(self, "forbidden", frozenset(self.forbidden))
        shape = (len(self.mentor_ids), len(self.mentee_ids))
        if len(set(self.mentor_ids)) != shape[0] or len(set(self.mentee_ids)) != shape[1]:
            raise BulkMatchingError("mentor and mentee ids must be unique")
        if len(self.capacities) != shape[0] or any(c < 0 for c in self.capacities):
            raise BulkMatchingError("one non-negative capacity per mentor is required")
        if np.shape(self.scores) != shape or np.shape(self.feasible) != shape:
            raise BulkMatchingError(f"scores and feasible must have shape {shape}")
        feasible = np.asarray(self.feasible, dtype=bool)
        scores = np.asarray(self.scores, dtype=np.float64)
        usable = scores[feasible]
        if not np.all(np.isfinite(usable)) or np.any(usable < 0):
            raise BulkMatchingError("feasible pairs need finite, non-negative scores")
        known_mentors, known_mentees = set(self.mentor_ids), set(self.mentee_ids)
        for mentor_id, mentee_id in self.pinned | self.forbidden:
            if mentor_id not in known_mentors or mentee_id not in known_mentees:
                raise BulkMatchingError(f"unknown pair {(mentor_id, mentee_id)}")
        object.__setattr__(self, "feasible", feasible)
        object.__setattr__(self, "scores", scores)

    @classmethod
    def from_scores(
        cls,
        result: ScoreResult,
        capacities: Mapping[str, int] | Sequence[int],
        *,
        pinned: Collection[Pair] = (),
        forbidden: Collection[Pair] = (),
    ) -> BulkProblem:
        if isinstance(capacities, Mapping):
            capacity_list = tuple(int(capacities.get(m, 0)) for m in result.mentor_ids)
        else:
            capacity_list = tuple(int(c) for c in capacities)
        return cls(
            mentor_ids=result.mentor_ids,
            capacities=capacity_list,
            mentee_ids=result.mentee_ids,
            scores=np.where(result.feasible, result.scores, 0.0),
            feasible=result.feasible,
            pinned=frozenset(pinned),
            forbidden=frozenset(forbidden),
            violations=result.violations,
        )


@dataclass(frozen=True, order=True)
class ProposedMatch:
    mentor_id: str
    mentee_id: str
    score: float
    pinned: bool = False


@dataclass(frozen=True)
class UnmatchedMentee:
    mentee_id: str
    reason_code: ReasonCode
    reason: str


@dataclass(frozen=True)
class BulkResult:
    matches: tuple[ProposedMatch, ...]  # sorted by (mentor_id, mentee_id)
    unmatched: tuple[UnmatchedMentee, ...]  # sorted by mentee_id
    total_score: float
    method: str
    optimal: bool  # True when the total is proven maximal
    stats: Mapping[str, float] = field(default_factory=dict, compare=False)

    def pairs(self) -> set[Pair]:
        return {(m.mentor_id, m.mentee_id) for m in self.matches}

    def mentor_loads(self) -> dict[str, int]:
        loads: dict[str, int] = {}
        for match in self.matches:
            loads[match.mentor_id] = loads.get(match.mentor_id, 0) + 1
        return loads


# --------------------------------------------------------------------------- canonical form


@dataclass(frozen=True)
class _Round:
    """The problem in canonical (id-sorted) order, with pins applied."""

    problem: BulkProblem
    mentor_order: np.ndarray  # canonical index -> index in the problem
    mentee_order: np.ndarray
    mentor_ids: tuple[str, ...]
    mentee_ids: tuple[str, ...]
    scores: np.ndarray  # canonical (m, n)
    feasible: np.ndarray
    forbidden: np.ndarray
    capacities: np.ndarray  # free slots before pins
    pinned_mentor: np.ndarray  # per canonical mentee: canonical mentor index or -1
    remaining_capacity: np.ndarray
    allowed: np.ndarray  # pairs the solver may still use


def _canonical_round(problem: BulkProblem) -> _Round:
    mentor_order = np.array(
        sorted(range(len(problem.mentor_ids)), key=problem.mentor_ids.__getitem__), dtype=np.int64
    )
    mentee_order = np.array(
        sorted(range(len(problem.mentee_ids)), key=problem.mentee_ids.__getitem__), dtype=np.int64
    )
    mentor_ids = tuple(problem.mentor_ids[i] for i in mentor_order)
    mentee_ids = tuple(problem.mentee_ids[i] for i in mentee_order)
    mentor_index = {m: i for i, m in enumerate(mentor_ids)}
    mentee_index = {t: i for i, t in enumerate(mentee_ids)}
    scores = problem.scores[np.ix_(mentor_order, mentee_order)]
    feasible = problem.feasible[np.ix_(mentor_order, mentee_order)]
    capacities = np.array(problem.capacities, dtype=np.int64)[mentor_order]

    forbidden = np.zeros(feasible.shape, dtype=bool)
    for mentor_id, mentee_id in problem.forbidden:
        forbidden[mentor_index[mentor_id], mentee_index[mentee_id]] = True

    pinned_mentor = np.full(len(mentee_ids), -1, dtype=np.int64)
    remaining = capacities.copy()
    for mentor_id, mentee_id in sorted(problem.pinned):
        i, j = mentor_index[mentor_id], mentee_index[mentee_id]
        if forbidden[i, j]:
            raise BulkMatchingError(f"pair {(mentor_id, mentee_id)} is both pinned and forbidden")
        if not feasible[i, j]:
            raise BulkMatchingError(f"pinned pair {(mentor_id, mentee_id)} is not feasible")
        if pinned_mentor[j] >= 0:
            raise BulkMatchingError(f"mentee {mentee_id} is pinned to more than one mentor")
        if remaining[i] <= 0:
            raise BulkMatchingError(f"pins exceed the free capacity of mentor {mentor_id}")
        pinned_mentor[j] = i
        remaining[i] -= 1

    allowed = feasible & ~forbidden & (remaining > 0)[:, None] & (pinned_mentor < 0)[None, :]
    return _Round(
        problem=problem,
        mentor_order=mentor_order,
        mentee_order=mentee_order,
        mentor_ids=mentor_ids,
        mentee_ids=mentee_ids,
        scores=scores,
        feasible=feasible,
        forbidden=forbidden,
        capacities=capacities,
        pinned_mentor=pinned_mentor,
        remaining_capacity=remaining,
        allowed=allowed,
    )


# --------------------------------------------------------------------------- exact solvers


def _slots(capacity: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Mentor index of every usable slot (a mentor needs no more slots than candidates)."""
    usable = np.minimum(capacity, allowed.sum(axis=1))
    return np.repeat(np.arange(len(capacity)), usable)


def _solve_dense(gain: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Mentor per mentee (-1: unmatched) maximising the total gain, by linear_sum_assignment."""
    n_mentees = allowed.shape[1]
    assignment = np.full(n_mentees, -1, dtype=np.int64)
    slot_mentor = _slots(capacity, allowed)
    active = np.flatnonzero(allowed.any(axis=0))
    if len(slot_mentor) == 0 or len(active) == 0:
        return assignment
    # (slots x mentees) costs; +inf forbids a pair. Zero-cost idle columns for the smaller
    # side let anyone stay unmatched, so a complete assignment always exists.
    cost = np.where(
        allowed[np.ix_(slot_mentor, active)], -gain[np.ix_(slot_mentor, active)], np.inf
    )
    if len(slot_mentor) <= len(active):
        padded = np.hstack([cost, np.zeros((len(slot_mentor), len(slot_mentor)))])
        slot_rows, columns = linear_sum_assignment(padded)
        real = columns < len(active)
        assignment[active[columns[real]]] = slot_mentor[slot_rows[real]]
    else:
        padded = np.hstack([cost.T, np.zeros((len(active), len(active)))])
        mentee_rows, columns = linear_sum_assignment(padded)
        real = columns < len(slot_mentor)
        assignment[active[mentee_rows[real]]] = slot_mentor[columns[real]]
    return assignment


def _solve_sparse_restricted(
    gain: np.ndarray, candidates: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """Exact optimum when only ``candidates`` pairs may be used (sparse LAPJV)."""
    n_mentees = candidates.shape[1]
    assignment = np.full(n_mentees, -1, dtype=np.int64)
    slot_mentor = _slots(capacity, candidates)
    if len(slot_mentor) == 0 or not candidates.any():
        return assignment
    first_slot = np.searchsorted(slot_mentor, np.arange(len(capacity)))
    slot_count = np.bincount(slot_mentor, minlength=len(capacity))
    mentor_of_edge, mentee_of_edge = np.nonzero(candidates)
    copies = slot_count[mentor_of_edge]
    keep = copies > 0
    mentor_of_edge, mentee_of_edge, copies = (
        mentor_of_edge[keep],
        mentee_of_edge[keep],
        copies[keep],
    )
    edge_rows = np.repeat(mentee_of_edge, copies)
    offset_in_mentor = np.arange(copies.sum()) - np.repeat(np.cumsum(copies) - copies, copies)
    edge_cols = np.repeat(first_slot[mentor_of_edge], copies) + offset_in_mentor
    # The solver wants positive weights: cost = base - gain on real edges, base on "idle".
    base = float(gain[candidates].max(initial=0.0)) + 1.0
    edge_costs = base - np.repeat(gain[mentor_of_edge, mentee_of_edge], copies)
    n_slots = len(slot_mentor)
    rows = np.concatenate([edge_rows, np.arange(n_mentees)])
    cols = np.concatenate([edge_cols, n_slots + np.arange(n_mentees)])
    costs = np.concatenate([edge_costs, np.full(n_mentees, base)])
    graph = sparse.csr_matrix((costs, (rows, cols)), shape=(n_mentees, n_slots + n_mentees))
    mentee_rows, columns = min_weight_full_bipartite_matching(graph)
    real = columns < n_slots
    assignment[mentee_rows[real]] = slot_mentor[columns[real]]
    return assignment


def _residual_potentials(
    gain: np.ndarray, candidates: np.ndarray, capacity: np.ndarray, assignment: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Node potentials (mentors, mentees) proving ``assignment`` optimal on ``candidates``.

    Min-cost circulation view: hub -> mentee -> mentor -> hub, cost -gain on the middle arc.
    Shortest distances from a virtual root in the residual graph are valid potentials; an
    excluded pair (mentor j, mentee i) could improve the total only if its reduced cost
    -gain + pi(i) - pi(j) is negative.
    """
    n_mentors, n_mentees = candidates.shape
    hub = n_mentees + n_mentors
    mentor_node = n_mentees + np.arange(n_mentors)
    matched = assignment >= 0
    load = np.bincount(assignment[matched], minlength=n_mentors)

    cand_mentor, cand_mentee = np.nonzero(candidates)
    is_matched_edge = assignment[cand_mentee] == cand_mentor
    edge_gain = gain[cand_mentor, cand_mentee]
    tails = [
        cand_mentee[~is_matched_edge],  # mentee -> mentor, cost -gain
        mentor_node[cand_mentor[is_matched_edge]],  # mentor -> mentee, cost +gain
        np.full((~matched).sum(), hub),  # hub -> unmatched mentee
        np.flatnonzero(matched),  # matched mentee -> hub
        mentor_node[load < capacity],  # mentor with a free slot -> hub
        np.full((load > 0).sum(), hub),  # hub -> mentor with a match
    ]
    heads = [
        mentor_node[cand_mentor[~is_matched_edge]],
        cand_mentee[is_matched_edge],
        np.flatnonzero(~matched),
        np.full(matched.sum(), hub),
        np.full((load < capacity).sum(), hub),
        mentor_node[load > 0],
    ]
    weights = [
        -edge_gain[~is_matched_edge],
        edge_gain[is_matched_edge],
        np.zeros((~matched).sum()),
        np.zeros(matched.sum()),
        np.zeros((load < capacity).sum()),
        np.zeros((load > 0).sum()),
    ]
    distance = _distances_from_a_virtual_root(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(weights), hub + 1
    )
    return distance[mentor_node], distance[:n_mentees]


class NegativeCycleError(RuntimeError):
    """The residual graph has a negative cycle: the matching could still be improved."""


def _distances_from_a_virtual_root(
    tails: np.ndarray, heads: np.ndarray, weights: np.ndarray, n_nodes: int
) -> np.ndarray:
    """Bellman-Ford from a root with a 0-cost arc to every node, vectorised over arcs.

    Every round relaxes all arcs at once and the loop stops when nothing changes, which for
    residual graphs of near-optimal matchings takes a few dozen rounds, not ``n_nodes``.
    """
    order = np.argsort(heads, kind="stable")
    tails, heads, weights = tails[order], heads[order], weights[order]
    targets, first_arc = np.unique(heads, return_index=True)
    distance = np.zeros(n_nodes)
    for _ in range(n_nodes + 1):
        best_incoming = np.minimum.reduceat(distance[tails] + weights, first_arc)
        improved = best_incoming < distance[targets] - 1e-15
        if not improved.any():
            return distance
        distance[targets[improved]] = best_incoming[improved]
    raise NegativeCycleError("residual graph has a negative cycle")


def _solve_sparse(
    gain: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, candidate_limit: int
) -> tuple[np.ndarray, dict[str, float]]:
    n_mentors, n_mentees = allowed.shape
    candidates = np.zeros_like(allowed)
    if n_mentors and n_mentees:
        # Each mentee's best `candidate_limit` allowed mentors. Which of several equal
        # mentors makes the cut does not matter: the certificate below adds back any pair
        # that could still raise the total.
        masked = np.where(allowed, gain, -np.inf)
        limit = min(candidate_limit, n_mentors)
        if limit < n_mentors:
            best = np.argpartition(-masked, limit - 1, axis=0)[:limit]
            np.put_along_axis(candidates, best, True, axis=0)
        else:
            candidates[:] = True
        candidates &= allowed
    rounds = 0
    while True:
        rounds += 1
        assignment = _solve_sparse_restricted(gain, candidates, capacity)
        mentor_pi, mentee_pi = _residual_potentials(gain, candidates, capacity, assignment)
        reduced = -gain + mentee_pi[None, :] - mentor_pi[:, None]
        improving = allowed & ~candidates & (reduced < -CERTIFICATE_TOLERANCE)
        if not improving.any():
            return assignment, {"rounds": rounds, "candidate_pairs": int(candidates.sum())}
        if rounds >= MAX_CERTIFICATE_ROUNDS:
            raise RuntimeError("sparse bulk matching did not converge")
        candidates |= improving


# --------------------------------------------------------------------------- public API


def solve_bulk_round(
    problem: BulkProblem, *, method: Method = "auto", candidate_limit: int = 25
) -> BulkResult:
    """The maximum-total-score matching of the round (exact; see the module docstring)."""
    if candidate_limit < 1:
        raise ValueError("candidate_limit must be at least 1")
    round_ = _canonical_round(problem)
    gain = round_.scores + MATCH_BONUS
    capacity = round_.remaining_capacity
    cells = int(_slots(capacity, round_.allowed).size) * int(round_.allowed.any(axis=0).sum())
    chosen = method if method != "auto" else ("dense" if cells <= DENSE_CELL_LIMIT else "sparse")
    stats: dict[str, float] = {"slot_x_mentee_cells": cells}
    if chosen == "dense":
        assignment = _solve_dense(gain, round_.allowed, capacity)
        name = "linear_sum_assignment"
    else:
        try:
            assignment, sparse_stats = _solve_sparse(
                gain, round_.allowed, capacity, candidate_limit
            )
        except RuntimeError:  # includes NegativeCycleError
            # Rounding can defeat the certificate on pathological ties; the dense solver is
            # exact regardless, only slower.
            assignment, sparse_stats = _solve_dense(gain, round_.allowed, capacity), {}
            name = "linear_sum_assignment (sparse certificate failed)"
        else:
            name = "min_weight_full_bipartite_matching (top-k, certified)"
        stats.update(sparse_stats)
    return _result(round_, assignment, method=name, optimal=True, stats=stats)


def greedy_assignment(problem: BulkProblem) -> BulkResult:
    """Baseline: pins first, then repeatedly the best remaining allowed pair."""
    round_ = _canonical_round(problem)
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
    round_: _Round,
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
            unmatched.append(_why_unmatched(round_, mentee))
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


ReasonCode = Literal["no_feasible_mentor", "only_forbidden_mentors", "feasible_mentors_full"]


def _why_unmatched(round_: _Round, mentee: int) -> UnmatchedMentee:
    mentee_id = round_.mentee_ids[mentee]
    feasible = round_.feasible[:, mentee]
    usable = feasible & ~round_.forbidden[:, mentee]
    if usable.any():
        slots = int(round_.capacities[usable].sum())
        if slots == 0:
            text = f"all feasible mentors full ({int(usable.sum())} feasible, no free slot)"
        else:
            text = (
                f"all feasible mentors full: the {slots} free slots of its "
                f"{int(usable.sum())} feasible mentors went to other mentees"
            )
        return UnmatchedMentee(mentee_id, "feasible_mentors_full", text)
    if feasible.any():
        return UnmatchedMentee(
            mentee_id,
            "only_forbidden_mentors",
            "no feasible mentor: every feasible mentor is forbidden for this mentee",
        )
    return UnmatchedMentee(mentee_id, *_describe_infeasibility(round_, mentee))


def _describe_infeasibility(round_: _Round, mentee: int) -> tuple[ReasonCode, str]:
    """Why no mentor is feasible, from the per-rule violations the scorer recorded."""
    violations = round_.problem.violations
    if violations is None:
        return "no_feasible_mentor", "no feasible mentor"
    if len(round_.mentor_ids) == 0:
        return "no_feasible_mentor", "no feasible mentor: the round has no mentors"
    column = round_.mentee_order[mentee]
    rows = round_.mentor_order

    def violated(code: str) -> np.ndarray:
        return (
            np.asarray(violations[code])[rows, column]
            if code in violations
            else np.zeros(len(rows), dtype=bool)
        )

    if violated("not_a_mentee").all() and len(rows):
        return "no_feasible_mentor", "no feasible mentor: " + CONSTRAINT_MESSAGES["not_a_mentee"]
    pair_rules = [c for c in CONSTRAINTS if c not in MENTOR_AVAILABILITY_CONSTRAINTS]
    pair_blocked = np.zeros(len(rows), dtype=bool)
    for code in pair_rules:
        pair_blocked |= violated(code)
    other_availability = sorted(MENTOR_AVAILABILITY_CONSTRAINTS - _CAPACITY_CONSTRAINTS)
    unavailable = np.zeros(len(rows), dtype=bool)
    for code in other_availability:
        unavailable |= violated(code)
    # Mentors who would fit this mentee if only they had room.
    if (~pair_blocked & ~unavailable).any():
        return "feasible_mentors_full", "all feasible mentors full"
    with_room = ~unavailable & (round_.capacities > 0)
    for capacity_code in sorted(_CAPACITY_CONSTRAINTS):
        with_room &= ~violated(capacity_code)
    if not with_room.any():
        return "no_feasible_mentor", "no feasible mentor: no available mentor has free capacity"
    for code in pair_rules:
        if code in _BLOCKED_BY_RULE and violated(code)[with_room].all():
            return "no_feasible_mentor", f"no feasible mentor: {_BLOCKED_BY_RULE[code]}"
    counts = {code: int(violated(code)[with_room].sum()) for code in pair_rules}
    commonest = max(pair_rules, key=lambda code: (counts[code], -pair_rules.index(code)))
    return "no_feasible_mentor", (
        "no feasible mentor: every mentor with free capacity breaks a rule "
        f"(most often: {CONSTRAINT_MESSAGES[commonest]}, {counts[commonest]} of "
        f"{int(with_room.sum())})"
    )
