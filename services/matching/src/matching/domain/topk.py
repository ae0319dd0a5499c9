"""A mentee's best mentors, kept exact under single-mentor updates.

Re-scoring a whole column for every mentor edit would cost O(mentors) per affected mentee.
Instead each mentee keeps its ``depth`` best feasible mentors plus a *threshold*: every
feasible mentor that is not listed ranks at or after the threshold. When one mentor's score
changes, the list stays exact:

* the mentor is taken out of the list (if it was in it);
* it goes back in if it now ranks before the threshold (if the list grows past ``depth``,
  the last entry drops out and becomes the new threshold);
* otherwise it stays out, which is right because it ranks after the threshold.

A list that lost entries this way is still an exact prefix of the ranking, only shorter.
Once it is shorter than what is served, the caller re-scores that one mentee's column
(:meth:`TopList.needs_rebuild`). Rank order is best score first, ties by mentor id, the same
order as :meth:`matching.domain.vectorised.ScoreResult.ranked_mentors`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

RankKey = tuple[float, str]  # (-score, mentor_id): ascending is best first


def rank_key(mentor_id: str, score: float) -> RankKey:
    return (-float(score), mentor_id)


@dataclass
class TopList:
    """The exact best prefix of one mentee's ranking of mentors."""

    keys: list[RankKey] = field(default_factory=list)
    threshold: RankKey | None = None  # None: every feasible mentor is listed

    @classmethod
    def from_scores(cls, mentor_ids: Sequence[str], scores: np.ndarray, depth: int) -> TopList:
        """From one mentee's column: ``scores[i]`` of ``mentor_ids[i]``, NaN if infeasible."""
        scores = np.asarray(scores, dtype=np.float64)
        feasible = np.flatnonzero(~np.isnan(scores))
        if len(feasible) > depth + 1:
            # Everything scoring at least the (depth+1)-th best value; ties sorted by id below.
            cut = np.partition(scores[feasible], len(feasible) - depth - 1)[
                len(feasible) - depth - 1
            ]
            feasible = feasible[scores[feasible] >= cut]
        keys = sorted(rank_key(mentor_ids[int(i)], scores[i]) for i in feasible)
        if len(keys) <= depth:
            return cls(keys=keys, threshold=None)
        return cls(keys=keys[:depth], threshold=keys[depth])

    @property
    def mentor_ids(self) -> list[str]:
        return [key[1] for key in self.keys]

    def served(self, count: int) -> list[tuple[str, float]]:
        return [(mentor_id, -negative) for negative, mentor_id in self.keys[:count]]

    def position(self, mentor_id: str) -> int | None:
        for index, key in enumerate(self.keys):
            if key[1] == mentor_id:
                return index
        return None

    def update(self, mentor_id: str, score: float | None, depth: int) -> bool:
        """Set one mentor's score (None: infeasible). Returns True if the list changed."""
        index = self.position(mentor_id)
        old = self.keys.pop(index) if index is not None else None
        if score is not None and not math.isnan(score):
            key = rank_key(mentor_id, score)
            if self.threshold is None or key < self.threshold:
                bisect.insort(self.keys, key)
                if len(self.keys) > depth:
                    self.threshold = self.keys.pop()
        if index is None:
            return self.position(mentor_id) is not None
        return self.position(mentor_id) != index or old != self.keys[index]

    def remove(self, mentor_id: str) -> bool:
        index = self.position(mentor_id)
        if index is None:
            return False
        del self.keys[index]
        return True

    def needs_rebuild(self, served: int) -> bool:
        """True when fewer than ``served`` entries are known exactly."""
        return self.threshold is not None and len(self.keys) < served

    @property
    def threshold_score(self) -> float:
        """Score a mentor must at least reach to be able to enter (-inf: anyone may)."""
        return -math.inf if self.threshold is None else -self.threshold[0]
