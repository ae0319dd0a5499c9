"""What makes a mentor x mentee pair possible, and how each criterion scores it: once.

The rules read :class:`PairFacts`, arrays that broadcast to the pairs' shape, so the same
function scores one pair (0-d arrays, for explanations) and a whole program (matrices, for
recommendations and rounds). Only the counting of what two profiles share differs between
the two paths (set intersections here, sparse products in ``features.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np

from matching.domain.matchable import MENTEE_ROLE, MENTOR_ROLE, PreparedProfile
from matching.domain.rules import CUSTOM_PREFIX, ProgramRules

# Hard constraints, in the order explanations list them.
Constraint = Literal[
    "not_a_mentor",
    "not_a_mentee",
    "same_person",
    "mentor_not_approved",
    "mentor_not_accepting",
    "mentor_full",
    "organization_rule",
    "no_shared_language",
    "timezone_too_far",
    "experience_gap_out_of_range",
]
CONSTRAINTS: tuple[Constraint, ...] = (
    "not_a_mentor",
    "not_a_mentee",
    "same_person",
    "mentor_not_approved",
    "mentor_not_accepting",
    "mentor_full",
    "organization_rule",
    "no_shared_language",
    "timezone_too_far",
    "experience_gap_out_of_range",
)
# Constraints that depend on the mentor alone (the rest depend on the pair or the mentee).
MENTOR_AVAILABILITY_CONSTRAINTS: frozenset[Constraint] = frozenset(
    {"not_a_mentor", "mentor_not_approved", "mentor_not_accepting", "mentor_full"}
)

HOURS_FOR_ZERO_TIMEZONE_SCORE = 12.0


@dataclass(frozen=True)
class Overlap:
    """How much two sets share: |A n B|, |A| (mentor side), |B| (mentee side)."""

    shared: np.ndarray
    mentor_size: np.ndarray
    mentee_size: np.ndarray


@dataclass(frozen=True)
class PairFacts:
    """What the rules read about pairs; every field broadcasts to the pairs' shape.

    Unknown numbers are NaN; ``industry``/``function`` are the equality of the two values,
    NaN when either is unknown.
    """

    is_mentor: np.ndarray
    is_mentee: np.ndarray
    same_person: np.ndarray
    mentor_approved: np.ndarray
    mentor_accepting: np.ndarray
    mentor_free_slots: np.ndarray
    mentor_capacity: np.ndarray
    same_organization: np.ndarray
    hours_apart: np.ndarray
    experience_gap: np.ndarray
    industry: np.ndarray
    function: np.ndarray
    semantic: np.ndarray
    skills: Overlap  # what the mentor offers x what the mentee seeks
    fields: Overlap  # the fields of the same (taxonomy.py)
    keywords: Overlap
    languages: Overlap
    custom: Mapping[str, Overlap]  # by custom field key


def hours_apart(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Circular distance between UTC offsets (UTC+12 and UTC-11 are 1 h apart)."""
    difference = np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)) % 24.0
    return np.minimum(difference, 24.0 - difference)


def _experience_gap_value(gap: np.ndarray, rules: ProgramRules) -> np.ndarray:
    below = np.maximum(rules.experience_gap_min_years - gap, 0.0)
    above = (
        np.maximum(gap - rules.experience_gap_max_years, 0.0)
        if rules.experience_gap_max_years is not None
        else np.zeros_like(gap)
    )
    return np.clip(1.0 - (below + above) / rules.experience_gap_decay_years, 0.0, 1.0)


def _experience_gap_outside(gap: np.ndarray, rules: ProgramRules) -> np.ndarray:
    outside = gap < rules.experience_gap_min_years  # NaN compares False: not outside
    if rules.experience_gap_max_years is not None:
        outside = outside | (gap > rules.experience_gap_max_years)
    return outside


def _where_known(known: np.ndarray, value: np.ndarray) -> np.ndarray:
    return np.asarray(np.where(known, value, np.nan), dtype=np.float64)


def _set_cosine(overlap: Overlap) -> np.ndarray:
    """|A n B| / sqrt(|A| |B|) (cosine of binary vectors; 0 when a set is empty)."""
    denominator = np.sqrt(overlap.mentor_size * overlap.mentee_size)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(denominator > 0, overlap.shared / denominator, 0.0))


def _known_cosine(overlap: Overlap) -> np.ndarray:
    """The set cosine where both sides have values, else unknown."""
    return _where_known((overlap.mentor_size > 0) & (overlap.mentee_size > 0), _set_cosine(overlap))


def _coverage_of_mentee(overlap: Overlap) -> np.ndarray:
    """The share of the mentee's values the mentor has (unknown when either has none)."""
    known = (overlap.mentor_size > 0) & (overlap.mentee_size > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _where_known(known, overlap.shared / overlap.mentee_size)


def criterion_values(facts: PairFacts, rules: ProgramRules) -> dict[str, np.ndarray]:
    """Every criterion of ``rules`` in [0, 1], NaN where unknown for the pair."""
    gap = facts.experience_gap
    apart = facts.hours_apart
    with np.errstate(divide="ignore", invalid="ignore"):
        availability = _where_known(
            facts.mentor_capacity > 0,
            np.clip(facts.mentor_free_slots / facts.mentor_capacity, 0.0, 1.0),
        )
    values: dict[str, np.ndarray] = {
        "skills": _set_cosine(facts.skills),
        # unknown when nothing the mentee seeks is in a known field
        "fields": _where_known(facts.fields.mentee_size > 0, _set_cosine(facts.fields)),
        "industry": facts.industry,
        "function": facts.function,
        "experience": _where_known(~np.isnan(gap), _experience_gap_value(gap, rules)),
        "timezone": _where_known(
            ~np.isnan(apart), np.clip(1.0 - apart / HOURS_FOR_ZERO_TIMEZONE_SCORE, 0.0, 1.0)
        ),
        "keywords": _set_cosine(facts.keywords),
        "semantic": facts.semantic,
        "languages": _coverage_of_mentee(facts.languages),
        "availability": availability,
    }
    empty = Overlap(np.zeros(()), np.zeros(()), np.zeros(()))
    for key in rules.custom_fields:
        values[CUSTOM_PREFIX + key] = _known_cosine(facts.custom.get(key, empty))
    return values


def violations(facts: PairFacts, rules: ProgramRules) -> dict[Constraint, np.ndarray]:
    """Each hard constraint's mask: True where it excludes the pair."""
    no = np.zeros((), dtype=bool)
    organization = (
        ~facts.same_organization
        if rules.organization_rule == "same"
        else facts.same_organization
        if rules.organization_rule == "different"
        else no
    )
    return {
        "not_a_mentor": ~facts.is_mentor,
        "not_a_mentee": ~facts.is_mentee,
        "same_person": facts.same_person,
        "mentor_not_approved": ~facts.mentor_approved if rules.require_mentor_approval else no,
        "mentor_not_accepting": ~facts.mentor_accepting,
        "mentor_full": facts.mentor_free_slots <= 0 if rules.require_free_capacity else no,
        "organization_rule": organization,
        "no_shared_language": (
            facts.languages.shared == 0 if rules.require_shared_language else no
        ),
        "timezone_too_far": (  # NaN (unknown) compares False: not excluded
            facts.hours_apart > rules.max_timezone_hours
            if rules.max_timezone_hours is not None
            else no
        ),
        "experience_gap_out_of_range": (
            _experience_gap_outside(facts.experience_gap, rules)
            if rules.enforce_experience_gap
            else no
        ),
    }


def composite(values: Mapping[str, np.ndarray], rules: ProgramRules) -> np.ndarray:
    """Weighted mean over the criteria known for each pair (NaN values are unknown)."""
    numerator: np.ndarray | float = 0.0
    denominator: np.ndarray | float = 0.0
    for criterion in rules.criteria:
        weight = rules.weight(criterion)
        if weight == 0:
            continue
        value = values[criterion]
        known = ~np.isnan(value)
        numerator = numerator + weight * np.where(known, value, 0.0)
        denominator = denominator + weight * known
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(
            np.where(np.asarray(denominator) > 0, numerator / np.asarray(denominator), 0.0)
        )


# --------------------------------------------------------------------------- one pair


def _overlap(mentor_values: Mapping[str, object], mentee_values: Mapping[str, object]) -> Overlap:
    shared = len(mentor_values.keys() & mentee_values.keys())
    return Overlap(
        np.asarray(float(shared)),
        np.asarray(float(len(mentor_values))),
        np.asarray(float(len(mentee_values))),
    )


def _equal_known(a: str, b: str) -> np.ndarray:
    return np.asarray(float(a == b) if a and b else math.nan)


def pair_facts(mentor: PreparedProfile, mentee: PreparedProfile) -> PairFacts:
    """The facts of one pair, as 0-d arrays."""
    m, t = mentor.profile, mentee.profile
    semantic = math.nan
    if mentor.unit_embedding is not None and mentee.unit_embedding is not None:
        semantic = float(np.clip(np.dot(mentor.unit_embedding, mentee.unit_embedding), 0.0, 1.0))
    return PairFacts(
        is_mentor=np.asarray(MENTOR_ROLE in m.roles),
        is_mentee=np.asarray(MENTEE_ROLE in t.roles),
        same_person=np.asarray(m.user_id == t.user_id),
        mentor_approved=np.asarray(m.mentor_approved),
        mentor_accepting=np.asarray(m.accepting_mentees),
        mentor_free_slots=np.asarray(mentor.free_slots),
        mentor_capacity=np.asarray(float(m.capacity)),
        same_organization=np.asarray(m.organization_id == t.organization_id),
        hours_apart=hours_apart(mentor.utc_offset_hours, mentee.utc_offset_hours),
        experience_gap=np.asarray(mentor.years_experience - mentee.years_experience),
        industry=_equal_known(mentor.industry, mentee.industry),
        function=_equal_known(mentor.job_function, mentee.job_function),
        semantic=np.asarray(semantic),
        skills=_overlap(mentor.offered, mentee.sought),
        fields=_overlap(mentor.offered_fields, mentee.sought_fields),
        keywords=_overlap(mentor.keyword_phrases, mentee.keyword_phrases),
        languages=_overlap(mentor.languages, mentee.languages),
        custom={
            key: _overlap(mentor.custom.get(key, {}), mentee.custom.get(key, {}))
            for key in mentor.custom.keys() | mentee.custom.keys()
        },
    )


def assess_pair(
    mentor: PreparedProfile, mentee: PreparedProfile, rules: ProgramRules
) -> tuple[dict[str, float], list[Constraint]]:
    """One pair's criterion values (rounded to float32, as the matrices store them, so both
    paths give the same composite) and the constraints that exclude it."""
    facts = pair_facts(mentor, mentee)
    values = {c: float(np.float32(v)) for c, v in criterion_values(facts, rules).items()}
    masks = violations(facts, rules)
    return values, [code for code in CONSTRAINTS if bool(masks[code])]


def composite_of_pair(values: Mapping[str, float], rules: ProgramRules) -> float:
    as_arrays = {k: np.float64(v) for k, v in values.items()}
    return float(composite(cast(Mapping[str, np.ndarray], as_arrays), rules))


def score_pair(
    mentor: PreparedProfile, mentee: PreparedProfile, rules: ProgramRules
) -> float | None:
    """Composite score of one pair, or None when a hard constraint excludes it."""
    values, violated = assess_pair(mentor, mentee, rules)
    return None if violated else composite_of_pair(values, rules)
