"""Vectorised scoring: every mentor x mentee pair of two feature sets at once.

Counts what the two sides share with sparse products, then hands the resulting
:class:`PairFacts` to the same rules that score one pair, so a ranking and an explanation
never disagree. The wrappers re-score one changed profile against a precomputed pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from matching.domain.features import (
    Bag,
    Codes,
    ProfileFeatures,
    Side,
    build_features,
    equal,
    shared_counts,
)
from matching.domain.matchable import MatchableProfile, PreparedProfile
from matching.domain.pair_rules import (
    Overlap,
    PairFacts,
    composite,
    criterion_values,
    hours_apart,
    violations,
)
from matching.domain.rules import ProgramRules


@dataclass(frozen=True)
class ScoreResult:
    """Scores of every mentor (rows) x mentee (columns) pair.

    ``scores`` is NaN where the pair is infeasible; ``criteria[c]`` is NaN where criterion
    ``c`` is unknown for the pair; ``violations[code]`` marks pairs excluded by that rule.
    """

    mentor_ids: tuple[str, ...]
    mentee_ids: tuple[str, ...]
    scores: np.ndarray
    feasible: np.ndarray
    criteria: Mapping[str, np.ndarray]
    violations: Mapping[str, np.ndarray]

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.mentor_ids), len(self.mentee_ids))

    def score_of(self, mentor_id: str, mentee_id: str) -> float | None:
        i, j = self.mentor_ids.index(mentor_id), self.mentee_ids.index(mentee_id)
        return float(self.scores[i, j]) if self.feasible[i, j] else None

    def ranked_mentors(self, mentee_id: str, limit: int | None = None) -> list[tuple[str, float]]:
        """Feasible mentors of one mentee, best first (ties: by mentor id)."""
        column = self.mentee_ids.index(mentee_id)
        ranked = sorted(
            (
                (self.mentor_ids[i], float(self.scores[i, column]))
                for i in np.flatnonzero(self.feasible[:, column])
            ),
            key=lambda item: (-item[1], item[0]),
        )
        return ranked[:limit] if limit is not None else ranked


def _overlap(mentors: Bag | None, mentees: Bag | None, shape: tuple[int, int]) -> Overlap:
    if mentors is None or mentees is None:
        zero = np.zeros(shape)
        return Overlap(zero, zero, zero)
    return Overlap(shared_counts(mentors, mentees), mentors.sizes[:, None], mentees.sizes[None, :])


def _equal_known(mentors: Codes, mentees: Codes) -> np.ndarray:
    """1 where both values are the same, 0 where they differ, NaN where one is unknown."""
    known = (mentors.codes != mentors.index.get("", -1))[:, None] & (
        mentees.codes != mentees.index.get("", -1)
    )[None, :]
    return np.where(known, equal(mentors, mentees), np.nan)


def _semantic(mentors: ProfileFeatures, mentees: ProfileFeatures) -> np.ndarray:
    shape = (len(mentors), len(mentees))
    if not (mentors.embeddings.shape[1] and mentees.embeddings.shape[1]):
        return np.full(shape, np.nan)
    if mentors.embeddings.shape[1] != mentees.embeddings.shape[1]:
        raise ValueError("mentor and mentee embeddings have different sizes")
    cosine = np.clip(mentors.embeddings @ mentees.embeddings.T, 0.0, 1.0)
    both = mentors.has_embedding[:, None] & mentees.has_embedding[None, :]
    return np.where(both, cosine, np.nan)


def features_facts(
    mentors: ProfileFeatures, mentees: ProfileFeatures, rules: ProgramRules
) -> PairFacts:
    """The facts of every pair: mentor facts as (n, 1) columns, mentee facts as (1, m) rows."""
    shape = (len(mentors), len(mentees))
    return PairFacts(
        is_mentor=mentors.is_mentor[:, None],
        is_mentee=mentees.is_mentee[None, :],
        same_person=equal(mentors.user_ids, mentees.user_ids),
        mentor_approved=mentors.approved[:, None],
        mentor_accepting=mentors.accepting[:, None],
        mentor_free_slots=mentors.free_slots[:, None],
        mentor_capacity=mentors.capacity[:, None],
        same_organization=equal(mentors.organization_ids, mentees.organization_ids),
        hours_apart=hours_apart(mentors.utc_offsets[:, None], mentees.utc_offsets[None, :]),
        experience_gap=mentors.years[:, None] - mentees.years[None, :],
        industry=_equal_known(mentors.industries, mentees.industries),
        function=_equal_known(mentors.job_functions, mentees.job_functions),
        semantic=_semantic(mentors, mentees),
        skills=_overlap(mentors.skills, mentees.skills, shape),
        fields=_overlap(mentors.fields, mentees.fields, shape),
        keywords=_overlap(mentors.keywords, mentees.keywords, shape),
        languages=_overlap(mentors.languages, mentees.languages, shape),
        custom={
            key: _overlap(mentors.custom.get(key), mentees.custom.get(key), shape)
            for key in rules.custom_fields
        },
    )


def score_features(
    mentors: ProfileFeatures, mentees: ProfileFeatures, rules: ProgramRules
) -> ScoreResult:
    """The vectorised scorer: all pairs of two precomputed feature sets."""
    shape = (len(mentors), len(mentees))
    facts = features_facts(mentors, mentees, rules)
    criteria = {
        c: np.broadcast_to(v, shape).astype(np.float32)
        for c, v in criterion_values(facts, rules).items()
    }
    masks: dict[str, np.ndarray] = {
        code: np.broadcast_to(v, shape) for code, v in violations(facts, rules).items()
    }
    feasible = np.ones(shape, dtype=bool)
    for violated in masks.values():
        feasible &= ~violated
    # The composite is computed from the float32 criteria, as the per-pair path does.
    scores = composite({c: v.astype(np.float64) for c, v in criteria.items()}, rules)
    return ScoreResult(
        mentor_ids=mentors.member_ids,
        mentee_ids=mentees.member_ids,
        scores=np.where(feasible, scores, np.nan),
        feasible=feasible,
        criteria=criteria,
        violations=masks,
    )


Profiles = Sequence[MatchableProfile | PreparedProfile] | ProfileFeatures


def _as_features(profiles: Profiles, side: Side, at: datetime | None) -> ProfileFeatures:
    if isinstance(profiles, ProfileFeatures):
        if profiles.side != side:
            raise ValueError(f"features were built for the {profiles.side} side, not {side}")
        return profiles
    return build_features(profiles, side, at=at)


def score_matrix(
    mentors: Profiles, mentees: Profiles, rules: ProgramRules, *, at: datetime | None = None
) -> ScoreResult:
    """All mentor x mentee pairs. Pass ``ProfileFeatures`` to reuse precomputed pools."""
    at = at or datetime.now(UTC)
    return score_features(
        _as_features(mentors, "mentor", at), _as_features(mentees, "mentee", at), rules
    )


def score_one_mentee_against(
    mentors: Profiles,
    mentee: MatchableProfile | PreparedProfile,
    rules: ProgramRules,
    *,
    at: datetime | None = None,
) -> ScoreResult:
    """Re-score one (changed) mentee against every mentor: a (n_mentors, 1) result."""
    at = at or (mentors.at if isinstance(mentors, ProfileFeatures) else datetime.now(UTC))
    return score_features(
        _as_features(mentors, "mentor", at), build_features([mentee], "mentee", at=at), rules
    )


def score_one_mentor_against(
    mentor: MatchableProfile | PreparedProfile,
    mentees: Profiles,
    rules: ProgramRules,
    *,
    at: datetime | None = None,
) -> ScoreResult:
    """Re-score one (changed) mentor against every mentee: a (1, n_mentees) result."""
    at = at or (mentees.at if isinstance(mentees, ProfileFeatures) else datetime.now(UTC))
    return score_features(
        build_features([mentor], "mentor", at=at), _as_features(mentees, "mentee", at), rules
    )
