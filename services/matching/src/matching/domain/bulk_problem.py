"""A bulk round as a problem: who can be matched to whom, how well, the admin's pins and
vetoes, and what a solution looks like.

:func:`canonical_round` puts a problem in id-sorted order with the pins applied, so every
solver (:mod:`matching.domain.bulk_solvers`) and the explanation of who is left out
(:mod:`matching.domain.bulk_unmatched`) work on the same deterministic arrays.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from matching.domain.vectorised import ScoreResult

Pair = tuple[str, str]  # (mentor_id, mentee_id)
ReasonCode = Literal["no_feasible_mentor", "only_forbidden_mentors", "feasible_mentors_full"]


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
class CanonicalRound:
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


def canonical_round(problem: BulkProblem) -> CanonicalRound:
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
    return CanonicalRound(
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
