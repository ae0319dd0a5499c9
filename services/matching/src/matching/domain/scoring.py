"""Explainable scoring of mentor x mentee pairs inside one program.

Every pair gets a value in [0, 1] per soft criterion and a composite (weighted mean of the
criteria that are known for both people); pairs that break a hard rule of the program are
infeasible and get no score. Two implementations share the same definitions:

* a vectorised one (``build_features`` + ``score_features``, and the wrappers ``score_matrix``,
  ``score_one_mentee_against``, ``score_one_mentor_against``) that scores whole matrices, or
  re-scores one changed profile against a large precomputed pool in milliseconds;
* a per-pair one (``score_pair`` and ``explain``) that also says *why*, in words.

Unit tests hold the two to the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from scipy import sparse

from matching.domain.terms import keyword_tokens, normalize_language, normalize_terms

MENTOR_ROLE = "mentor"
MENTEE_ROLE = "mentee"

Criterion = Literal[
    "skills", "industry", "function", "experience", "timezone", "keywords", "semantic"
]
CRITERIA: tuple[Criterion, ...] = (
    "skills",
    "industry",
    "function",
    "experience",
    "timezone",
    "keywords",
    "semantic",
)
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "skills": 0.30,
    "semantic": 0.20,
    "keywords": 0.10,
    "industry": 0.10,
    "function": 0.10,
    "experience": 0.10,
    "timezone": 0.10,
}

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

OrganizationRule = Literal["any", "same", "different"]
Side = Literal["mentor", "mentee"]

HOURS_FOR_ZERO_TIMEZONE_SCORE = 12.0


@dataclass(frozen=True)
class MatchableProfile:
    """What matching needs to know about one member of a program."""

    member_id: str
    user_id: str
    organization_id: str
    roles: frozenset[str] = frozenset()
    mentor_approved: bool = False
    timezone: str = ""  # IANA name, e.g. "America/Toronto"; "" when unknown
    languages: tuple[str, ...] = ()
    industry: str = ""
    job_function: str = ""
    years_experience: float | None = None
    skills: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    headline: str = ""
    bio: str = ""
    capacity: int = 0
    accepting_mentees: bool = True
    active_mentee_count: int = 0
    embedding: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Accept lists/sets from callers but keep the profile immutable and hashable.
        object.__setattr__(self, "roles", frozenset(self.roles))
        for name in ("languages", "skills", "expertise", "goals", "interests", "keywords"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def free_slots(self) -> int:
        if not self.accepting_mentees:
            return 0
        return max(self.capacity - self.active_mentee_count, 0)


@dataclass(frozen=True)
class ProgramRules:
    """A program's matching configuration: criterion weights and hard constraints."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    require_shared_language: bool = True
    organization_rule: OrganizationRule = "any"
    require_mentor_approval: bool = True
    require_free_capacity: bool = True
    # Wanted gap (mentor years - mentee years); the experience criterion is 1 inside the range
    # and decays linearly to 0 over ``experience_gap_decay_years`` outside it.
    experience_gap_min_years: float = 2.0
    experience_gap_max_years: float | None = 25.0
    experience_gap_decay_years: float = 5.0
    enforce_experience_gap: bool = False  # True: outside the range is a hard exclusion
    max_timezone_hours: float | None = None

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(CRITERIA)
        if unknown:
            raise ValueError(f"unknown criteria in weights: {sorted(unknown)}")
        if any(w < 0 or not math.isfinite(w) for w in self.weights.values()):
            raise ValueError("weights must be finite and non-negative")
        if sum(self.weights.values()) <= 0:
            raise ValueError("at least one weight must be positive")
        if self.organization_rule not in ("any", "same", "different"):
            raise ValueError(f"unknown organization rule {self.organization_rule!r}")
        if self.experience_gap_decay_years <= 0:
            raise ValueError("experience_gap_decay_years must be positive")
        if (
            self.experience_gap_max_years is not None
            and self.experience_gap_max_years < self.experience_gap_min_years
        ):
            raise ValueError("experience gap max is below min")
        object.__setattr__(self, "weights", dict(self.weights))

    def weight(self, criterion: str) -> float:
        return float(self.weights.get(criterion, 0.0))


# --------------------------------------------------------------------------- per profile


@lru_cache(maxsize=4096)
def _utc_offset_hours(timezone: str, at: datetime) -> float:
    if not timezone:
        return math.nan
    try:
        offset = ZoneInfo(timezone).utcoffset(at)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a directory of tzdata
        return math.nan
    return math.nan if offset is None else offset.total_seconds() / 3600.0


def _blank_to_empty(value: str) -> str:
    return " ".join(value.casefold().split())


@dataclass(frozen=True)
class PreparedProfile:
    """A profile with its terms normalised once (canonical form -> original spelling)."""

    profile: MatchableProfile
    offered: Mapping[str, str]  # skills and expertise: what the member can teach
    sought: Mapping[str, str]  # goals, interests and skills: what the member wants to grow
    languages: Mapping[str, str]
    keyword_tokens: frozenset[str]
    industry: str
    job_function: str
    utc_offset_hours: float
    years_experience: float
    unit_embedding: np.ndarray | None

    @property
    def member_id(self) -> str:
        return self.profile.member_id


def prepare_profile(profile: MatchableProfile, at: datetime) -> PreparedProfile:
    embedding = None
    if profile.embedding is not None:
        vector = np.asarray(profile.embedding, dtype=np.float32).ravel()
        norm = float(np.linalg.norm(vector))
        if norm > 0 and math.isfinite(norm):
            embedding = vector / np.float32(norm)
    languages: dict[str, str] = {}
    for language in profile.languages:
        canonical = normalize_language(language)
        if canonical and canonical not in languages:
            languages[canonical] = canonical.title()
    years = profile.years_experience
    return PreparedProfile(
        profile=profile,
        offered=normalize_terms((*profile.skills, *profile.expertise)),
        sought=normalize_terms((*profile.goals, *profile.interests, *profile.skills)),
        languages=languages,
        keyword_tokens=frozenset(
            keyword_tokens(
                (
                    *profile.keywords,
                    *profile.skills,
                    *profile.expertise,
                    *profile.goals,
                    *profile.interests,
                )
            )
        ),
        industry=_blank_to_empty(profile.industry),
        job_function=_blank_to_empty(profile.job_function),
        utc_offset_hours=_utc_offset_hours(profile.timezone, at),
        years_experience=math.nan if years is None else float(years),
        unit_embedding=embedding,
    )


def profile_text(profile: MatchableProfile) -> str:
    """The text to embed for the semantic criterion (same recipe for mentors and mentees)."""
    parts = [profile.headline, profile.bio]
    for label, values in (
        ("Skills", profile.skills),
        ("Expertise", profile.expertise),
        ("Goals", profile.goals),
        ("Interests", profile.interests),
        ("Keywords", profile.keywords),
    ):
        if values:
            parts.append(f"{label}: {', '.join(values)}.")
    return " ".join(part.strip() for part in parts if part.strip())


# --------------------------------------------------------------------------- shared maths


def _timezone_value(hours_apart: np.ndarray | float) -> np.ndarray | float:
    return np.clip(1.0 - np.asarray(hours_apart) / HOURS_FOR_ZERO_TIMEZONE_SCORE, 0.0, 1.0)


def _hours_apart(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Circular distance between UTC offsets (UTC+12 and UTC-11 are 1 h apart)."""
    difference = np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)) % 24.0
    return np.minimum(difference, 24.0 - difference)


def _experience_gap_value(gap: np.ndarray | float, rules: ProgramRules) -> np.ndarray:
    gap = np.asarray(gap, dtype=np.float64)
    below = np.maximum(rules.experience_gap_min_years - gap, 0.0)
    above = (
        np.maximum(gap - rules.experience_gap_max_years, 0.0)
        if rules.experience_gap_max_years is not None
        else np.zeros_like(gap)
    )
    return np.clip(1.0 - (below + above) / rules.experience_gap_decay_years, 0.0, 1.0)


def _experience_gap_outside(gap: np.ndarray | float, rules: ProgramRules) -> np.ndarray:
    gap = np.asarray(gap, dtype=np.float64)
    outside = gap < rules.experience_gap_min_years
    if rules.experience_gap_max_years is not None:
        outside = outside | (gap > rules.experience_gap_max_years)
    return outside


def _set_cosine(
    shared: np.ndarray | float, size_a: np.ndarray | float, size_b: np.ndarray | float
) -> np.ndarray:
    """|A n B| / sqrt(|A| |B|) (cosine of binary vectors; 0 when a set is empty)."""
    denominator = np.sqrt(np.asarray(size_a, dtype=np.float64) * np.asarray(size_b))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(denominator > 0, np.asarray(shared, dtype=np.float64) / denominator, 0.0)
    return np.asarray(value)


def _composite(values: Mapping[str, np.ndarray], rules: ProgramRules) -> np.ndarray:
    """Weighted mean over the criteria known for each pair (NaN values are unknown)."""
    numerator: np.ndarray | float = 0.0
    denominator: np.ndarray | float = 0.0
    for criterion in CRITERIA:
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


# --------------------------------------------------------------------------- per pair


def _pair_criteria(
    mentor: PreparedProfile, mentee: PreparedProfile, rules: ProgramRules
) -> dict[str, float]:
    """Criterion values of one pair; NaN for "unknown for this pair"."""
    shared_skills = len(mentor.offered.keys() & mentee.sought.keys())
    shared_tokens = len(mentor.keyword_tokens & mentee.keyword_tokens)
    semantic = math.nan
    if mentor.unit_embedding is not None and mentee.unit_embedding is not None:
        semantic = float(np.clip(np.dot(mentor.unit_embedding, mentee.unit_embedding), 0.0, 1.0))
    return {
        "skills": float(_set_cosine(shared_skills, len(mentor.offered), len(mentee.sought))),
        "industry": (
            float(mentor.industry == mentee.industry)
            if mentor.industry and mentee.industry
            else math.nan
        ),
        "function": (
            float(mentor.job_function == mentee.job_function)
            if mentor.job_function and mentee.job_function
            else math.nan
        ),
        "experience": float(
            _experience_gap_value(mentor.years_experience - mentee.years_experience, rules)
        )
        if not (math.isnan(mentor.years_experience) or math.isnan(mentee.years_experience))
        else math.nan,
        "timezone": float(
            _timezone_value(_hours_apart(mentor.utc_offset_hours, mentee.utc_offset_hours))
        )
        if not (math.isnan(mentor.utc_offset_hours) or math.isnan(mentee.utc_offset_hours))
        else math.nan,
        "keywords": float(
            _set_cosine(shared_tokens, len(mentor.keyword_tokens), len(mentee.keyword_tokens))
        ),
        "semantic": semantic,
    }


def _pair_violations(
    mentor: PreparedProfile, mentee: PreparedProfile, rules: ProgramRules
) -> list[Constraint]:
    m, t = mentor.profile, mentee.profile
    violated: list[Constraint] = []
    if MENTOR_ROLE not in m.roles:
        violated.append("not_a_mentor")
    if MENTEE_ROLE not in t.roles:
        violated.append("not_a_mentee")
    if m.user_id == t.user_id:
        violated.append("same_person")
    if rules.require_mentor_approval and not m.mentor_approved:
        violated.append("mentor_not_approved")
    if not m.accepting_mentees:
        violated.append("mentor_not_accepting")
    if rules.require_free_capacity and m.capacity - m.active_mentee_count <= 0:
        violated.append("mentor_full")
    if (rules.organization_rule == "same" and m.organization_id != t.organization_id) or (
        rules.organization_rule == "different" and m.organization_id == t.organization_id
    ):
        violated.append("organization_rule")
    if rules.require_shared_language and not (mentor.languages.keys() & mentee.languages.keys()):
        violated.append("no_shared_language")
    if rules.max_timezone_hours is not None:
        apart = float(_hours_apart(mentor.utc_offset_hours, mentee.utc_offset_hours))
        if apart > rules.max_timezone_hours:  # NaN (unknown) compares False: not excluded
            violated.append("timezone_too_far")
    if rules.enforce_experience_gap:
        gap = mentor.years_experience - mentee.years_experience
        if not math.isnan(gap) and bool(_experience_gap_outside(gap, rules)):
            violated.append("experience_gap_out_of_range")
    return violated


def score_pair(
    mentor: PreparedProfile, mentee: PreparedProfile, rules: ProgramRules
) -> float | None:
    """Composite score of one pair, or None when a hard constraint excludes it."""
    if _pair_violations(mentor, mentee, rules):
        return None
    return _composite_of_pair(_pair_criteria(mentor, mentee, rules), rules)


def _composite_of_pair(values: Mapping[str, float], rules: ProgramRules) -> float:
    # Criteria are rounded to float32 as the matrices store them, so both paths agree.
    rounded = {k: np.float64(np.float32(v)) for k, v in values.items()}
    return float(_composite(cast(Mapping[str, np.ndarray], rounded), rules))


# --------------------------------------------------------------------------- explanations


@dataclass(frozen=True)
class CriterionContribution:
    criterion: str
    weight: float
    value: float | None  # None: unknown for this pair, so left out of the weighted mean
    contribution: float  # weight * value / (sum of the weights of the known criteria)
    reason: str


@dataclass(frozen=True)
class Explanation:
    mentor_id: str
    mentee_id: str
    feasible: bool
    score: float | None
    contributions: tuple[CriterionContribution, ...]  # largest contribution first
    reasons: tuple[str, ...]  # concrete highlights, e.g. "shares: Kubernetes, Python"
    exclusions: tuple[str, ...]  # hard constraints that exclude the pair, in words
    excluded_by: tuple[str, ...]  # the same, as constraint codes

    def summary(self) -> str:
        if not self.feasible:
            return "not a possible match: " + "; ".join(self.exclusions)
        return "; ".join(self.reasons)


def _join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _format_hours(hours: float) -> str:
    rounded = round(hours * 2) / 2
    return f"{int(rounded)}" if rounded == int(rounded) else f"{rounded:.1f}"


def _format_years(years: float) -> str:
    return f"{int(years)}" if float(years).is_integer() else f"{years:.1f}"


def _constraint_message(code: Constraint, mentor: PreparedProfile, rules: ProgramRules) -> str:
    if code == "organization_rule":
        return (
            "the program matches only within the same organization"
            if rules.organization_rule == "same"
            else "the program matches only across different organizations"
        )
    if code == "timezone_too_far":
        return f"more than {_format_hours(rules.max_timezone_hours or 0)} h apart"
    if code == "experience_gap_out_of_range":
        return "experience gap outside the program's range"
    if code == "mentor_full":
        return (
            f"mentor has no free capacity ({mentor.profile.active_mentee_count} mentees, "
            f"capacity {mentor.profile.capacity})"
        )
    return CONSTRAINT_MESSAGES[code]


CONSTRAINT_MESSAGES: Mapping[Constraint, str] = {
    "not_a_mentor": "not a mentor in this program",
    "not_a_mentee": "not a mentee in this program",
    "same_person": "mentor and mentee are the same person",
    "mentor_not_approved": "mentor is not approved yet",
    "mentor_not_accepting": "mentor is not accepting mentees",
    "mentor_full": "mentor has no free capacity",
    "organization_rule": "organization rule of the program",
    "no_shared_language": "no shared language",
    "timezone_too_far": "too many hours apart",
    "experience_gap_out_of_range": "experience gap outside the program's range",
}


def _criterion_reason(
    criterion: str,
    value: float,
    mentor: PreparedProfile,
    mentee: PreparedProfile,
    rules: ProgramRules,
) -> str:
    if criterion == "skills":
        shared = sorted(
            (
                _display_spelling(mentee.sought[c], mentor.offered[c])
                for c in mentor.offered.keys() & mentee.sought.keys()
            ),
            key=str.casefold,
        )
        return "shares: " + ", ".join(shared) if shared else "no skills in common"
    if criterion == "keywords":
        tokens = sorted(mentor.keyword_tokens & mentee.keyword_tokens)
        return "keywords in common: " + ", ".join(tokens) if tokens else "no keywords in common"
    if criterion == "industry":
        if math.isnan(value):
            return "industry unknown"
        if value == 1.0:
            return f"same industry ({mentee.profile.industry.strip()})"
        return (
            f"different industries ({mentor.profile.industry.strip()} / "
            f"{mentee.profile.industry.strip()})"
        )
    if criterion == "function":
        if math.isnan(value):
            return "job function unknown"
        if value == 1.0:
            return f"same job function ({mentee.profile.job_function.strip()})"
        return (
            f"different job functions ({mentor.profile.job_function.strip()} / "
            f"{mentee.profile.job_function.strip()})"
        )
    if criterion == "timezone":
        if math.isnan(value):
            return "time zone unknown"
        apart = float(_hours_apart(mentor.utc_offset_hours, mentee.utc_offset_hours))
        return f"{_format_hours(apart)} h apart"
    if criterion == "experience":
        if math.isnan(value):
            return "years of experience unknown"
        gap = mentor.years_experience - mentee.years_experience
        wanted = (
            f"{_format_years(rules.experience_gap_min_years)}-"
            f"{_format_years(rules.experience_gap_max_years)}"
            if rules.experience_gap_max_years is not None
            else f"at least {_format_years(rules.experience_gap_min_years)}"
        )
        if gap >= 0:
            return f"mentor has {_format_years(gap)} more years of experience (wanted {wanted})"
        return f"mentor has {_format_years(-gap)} fewer years of experience (wanted {wanted})"
    if criterion == "semantic":
        if math.isnan(value):
            return "no profile embedding"
        return f"profiles describe related topics (similarity {value:.2f})"
    raise ValueError(criterion)


def _display_spelling(mentee_spelling: str, mentor_spelling: str) -> str:
    """The mentee's words, unless only the mentor capitalised them ("python" -> "Python")."""
    if mentee_spelling.islower() and not mentor_spelling.islower():
        if mentee_spelling.casefold() == mentor_spelling.casefold():
            return mentor_spelling
    return mentee_spelling


def _is_highlight(criterion: str, value: float) -> bool:
    if math.isnan(value) or value <= 0:
        return False
    return criterion not in ("industry", "function") or value == 1.0


def explain(
    mentor: MatchableProfile | PreparedProfile,
    mentee: MatchableProfile | PreparedProfile,
    rules: ProgramRules,
    *,
    at: datetime | None = None,
) -> Explanation:
    """Why this pair scores what it scores, criterion by criterion, in words."""
    at = at or datetime.now(UTC)
    m = mentor if isinstance(mentor, PreparedProfile) else prepare_profile(mentor, at)
    t = mentee if isinstance(mentee, PreparedProfile) else prepare_profile(mentee, at)
    violated = _pair_violations(m, t, rules)
    values = _pair_criteria(m, t, rules)
    known_weight = sum(
        rules.weight(c) for c in CRITERIA if not math.isnan(values[c]) and rules.weight(c) > 0
    )
    contributions = []
    for criterion in CRITERIA:
        weight = rules.weight(criterion)
        value = values[criterion]
        known = not math.isnan(value)
        contribution = weight * value / known_weight if known and known_weight > 0 else 0.0
        contributions.append(
            CriterionContribution(
                criterion=criterion,
                weight=weight,
                value=value if known else None,
                contribution=contribution,
                reason=_criterion_reason(criterion, value, m, t, rules),
            )
        )
    contributions.sort(key=lambda c: (-c.contribution, CRITERIA.index(c.criterion)))
    reasons = [
        c.reason
        for c in contributions
        if c.weight > 0 and c.value is not None and _is_highlight(c.criterion, c.value)
    ]
    shared_languages = sorted(m.languages.keys() & t.languages.keys())
    if shared_languages:
        reasons.insert(
            1 if reasons else 0,
            "both speak " + _join_words([t.languages[lang] for lang in shared_languages]),
        )
    # Same arithmetic as the matrices, so an explanation never disagrees with a ranking.
    score = None if violated else _composite_of_pair(values, rules)
    return Explanation(
        mentor_id=m.member_id,
        mentee_id=t.member_id,
        feasible=not violated,
        score=score,
        contributions=tuple(contributions),
        reasons=tuple(reasons),
        exclusions=tuple(_constraint_message(code, m, rules) for code in violated),
        excluded_by=tuple(violated),
    )


def shared_items(
    mentor: MatchableProfile | PreparedProfile,
    mentee: MatchableProfile | PreparedProfile,
    *,
    at: datetime | None = None,
) -> dict[str, list[str]]:
    """The concrete things a pair has in common, as lists (the words ``explain`` cites)."""
    at = at or datetime.now(UTC)
    m = mentor if isinstance(mentor, PreparedProfile) else prepare_profile(mentor, at)
    t = mentee if isinstance(mentee, PreparedProfile) else prepare_profile(mentee, at)
    return {
        "skills": sorted(
            (
                _display_spelling(t.sought[c], m.offered[c])
                for c in m.offered.keys() & t.sought.keys()
            ),
            key=str.casefold,
        ),
        "languages": [
            t.languages[lang] for lang in sorted(m.languages.keys() & t.languages.keys())
        ],
        "keywords": sorted(m.keyword_tokens & t.keyword_tokens),
    }


# --------------------------------------------------------------------------- vectorised


@dataclass(frozen=True)
class _Bag:
    """Sets of terms per profile, as a sparse 0/1 matrix over this side's own vocabulary."""

    sets: tuple[frozenset[str], ...]
    vocabulary: Mapping[str, int]
    matrix: sparse.csr_matrix
    sizes: np.ndarray

    @classmethod
    def of(cls, sets: Iterable[Iterable[str]]) -> _Bag:
        frozen = tuple(frozenset(s) for s in sets)
        vocabulary: dict[str, int] = {}
        for terms in frozen:
            for term in sorted(terms):
                vocabulary.setdefault(term, len(vocabulary))
        return cls(
            sets=frozen,
            vocabulary=vocabulary,
            matrix=_incidence(frozen, vocabulary),
            sizes=np.array([len(s) for s in frozen], dtype=np.float64),
        )

    @property
    def entries(self) -> int:
        return int(self.matrix.nnz)


def _incidence(sets: Sequence[frozenset[str]], vocabulary: Mapping[str, int]) -> sparse.csr_matrix:
    """0/1 matrix of ``sets`` over ``vocabulary``; terms outside it are dropped (they can't
    be shared with the side that owns the vocabulary)."""
    indptr = [0]
    indices: list[int] = []
    for terms in sets:
        indices.extend(sorted(vocabulary[t] for t in terms if t in vocabulary))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return sparse.csr_matrix(
        (data, np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
        shape=(len(sets), len(vocabulary)),
    )


def _shared_counts(a: _Bag, b: _Bag) -> np.ndarray:
    """|A_i n B_j| for every pair, as a dense (len(a), len(b)) array."""
    if len(a.sets) == 0 or len(b.sets) == 0:
        return np.zeros((len(a.sets), len(b.sets)))
    # Re-express the side with fewer entries in the other side's vocabulary (cheap), so
    # precomputed pools never need rebuilding when a new profile shows up.
    if a.entries <= b.entries:
        left, right = _incidence(a.sets, b.vocabulary), b.matrix
    else:
        left, right = a.matrix, _incidence(b.sets, a.vocabulary)
    # Re-scoring one profile against a pool: sparse x small dense is a cheap mat-vec; a
    # sparse x sparse product would build (and then densify) a sparse result.
    if right.shape[0] <= _SMALL_SIDE_ROWS:
        return np.asarray(left @ right.toarray().T)
    if left.shape[0] <= _SMALL_SIDE_ROWS:
        return np.asarray(right @ left.toarray().T).T
    return np.asarray((left @ right.T).toarray())


_SMALL_SIDE_ROWS = 64


@dataclass(frozen=True)
class _Codes:
    """Strings factorised to integers, so equality tests over matrices are integer compares."""

    values: tuple[str, ...]
    index: Mapping[str, int]
    codes: np.ndarray

    @classmethod
    def of(cls, values: Iterable[str]) -> _Codes:
        values = tuple(values)
        index: dict[str, int] = {}
        codes = np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int64)
        return cls(values=values, index=index, codes=codes)


def _equal(a: _Codes, b: _Codes) -> np.ndarray:
    if len(a.values) <= len(b.values):
        left = np.array([b.index.get(v, -1) for v in a.values], dtype=np.int64)
        return left[:, None] == b.codes[None, :]
    right = np.array([a.index.get(v, -1) for v in b.values], dtype=np.int64)
    return a.codes[:, None] == right[None, :]


@dataclass(frozen=True)
class ProfileFeatures:
    """Per-profile arrays for one side of the matrix, computed once and reused.

    ``side`` decides the skills bag: mentors are scored on what they offer (skills and
    expertise), mentees on what they seek (goals, interests and skills).
    """

    side: Side
    at: datetime
    prepared: tuple[PreparedProfile, ...]
    member_ids: tuple[str, ...]
    user_ids: _Codes
    organization_ids: _Codes
    industries: _Codes
    job_functions: _Codes
    has_industry: np.ndarray
    has_job_function: np.ndarray
    is_mentor: np.ndarray
    is_mentee: np.ndarray
    approved: np.ndarray
    accepting: np.ndarray
    has_free_capacity: np.ndarray
    utc_offsets: np.ndarray
    years: np.ndarray
    skills: _Bag
    languages: _Bag
    keywords: _Bag
    embeddings: np.ndarray  # (n, d) unit rows; zero rows where missing
    has_embedding: np.ndarray

    def __len__(self) -> int:
        return len(self.member_ids)


def build_features(
    profiles: Sequence[MatchableProfile | PreparedProfile],
    side: Side,
    *,
    at: datetime | None = None,
) -> ProfileFeatures:
    at = at or datetime.now(UTC)
    prepared = tuple(
        p if isinstance(p, PreparedProfile) else prepare_profile(p, at) for p in profiles
    )
    raw = [p.profile for p in prepared]
    dimension = next((len(p.unit_embedding) for p in prepared if p.unit_embedding is not None), 0)
    embeddings = np.zeros((len(prepared), dimension), dtype=np.float32)
    has_embedding = np.zeros(len(prepared), dtype=bool)
    for row, p in enumerate(prepared):
        if p.unit_embedding is not None:
            if len(p.unit_embedding) != dimension:
                raise ValueError("profiles carry embeddings of different sizes")
            embeddings[row] = p.unit_embedding
            has_embedding[row] = True
    return ProfileFeatures(
        side=side,
        at=at,
        prepared=prepared,
        member_ids=tuple(p.member_id for p in raw),
        user_ids=_Codes.of(p.user_id for p in raw),
        organization_ids=_Codes.of(p.organization_id for p in raw),
        industries=_Codes.of(p.industry for p in prepared),
        job_functions=_Codes.of(p.job_function for p in prepared),
        has_industry=np.array([bool(p.industry) for p in prepared], dtype=bool),
        has_job_function=np.array([bool(p.job_function) for p in prepared], dtype=bool),
        is_mentor=np.array([MENTOR_ROLE in p.roles for p in raw], dtype=bool),
        is_mentee=np.array([MENTEE_ROLE in p.roles for p in raw], dtype=bool),
        approved=np.array([p.mentor_approved for p in raw], dtype=bool),
        accepting=np.array([p.accepting_mentees for p in raw], dtype=bool),
        has_free_capacity=np.array(
            [p.capacity - p.active_mentee_count > 0 for p in raw], dtype=bool
        ),
        utc_offsets=np.array([p.utc_offset_hours for p in prepared], dtype=np.float64),
        years=np.array([p.years_experience for p in prepared], dtype=np.float64),
        skills=_Bag.of(p.offered if side == "mentor" else p.sought for p in prepared),
        languages=_Bag.of(p.languages for p in prepared),
        keywords=_Bag.of(p.keyword_tokens for p in prepared),
        embeddings=embeddings,
        has_embedding=has_embedding,
    )


def _codes_with(codes: _Codes, index: int, value: str) -> _Codes:
    """``codes`` with row ``index`` set to ``value`` (copy on write; stale codes are harmless:
    no row carries them, so they never compare equal)."""
    if codes.values[index] == value:
        return codes
    mapping = codes.index
    if value not in mapping:
        mapping = {**mapping, value: len(mapping)}
    array = codes.codes.copy()
    array[index] = mapping[value]
    return _Codes(
        values=(*codes.values[:index], value, *codes.values[index + 1 :]),
        index=mapping,
        codes=array,
    )


def _bag_with(bag: _Bag, index: int, terms: Iterable[str]) -> _Bag:
    """``bag`` with row ``index`` holding ``terms``: the vocabulary grows by the new terms,
    the sparse matrix is spliced (O(entries) copies, no re-tokenising of other rows)."""
    row_set = frozenset(terms)
    if row_set == bag.sets[index]:
        return bag
    vocabulary = bag.vocabulary
    new_terms = sorted(t for t in row_set if t not in vocabulary)
    if new_terms:
        vocabulary = dict(vocabulary)
        for term in new_terms:
            vocabulary[term] = len(vocabulary)
    row = np.array(sorted(vocabulary[t] for t in row_set), dtype=np.int64)
    matrix = bag.matrix
    start, end = int(matrix.indptr[index]), int(matrix.indptr[index + 1])
    indices = np.concatenate([matrix.indices[:start].astype(np.int64), row, matrix.indices[end:]])
    indptr = matrix.indptr.astype(np.int64)  # a copy
    indptr[index + 1 :] += len(row) - (end - start)
    sets = (*bag.sets[:index], row_set, *bag.sets[index + 1 :])
    sizes = bag.sizes.copy()
    sizes[index] = len(row_set)
    return _Bag(
        sets=sets,
        vocabulary=vocabulary,
        matrix=sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float64), indices, indptr),
            shape=(len(sets), len(vocabulary)),
        ),
        sizes=sizes,
    )


def replace_profile(
    features: ProfileFeatures, index: int, profile: PreparedProfile, *, copy: bool = True
) -> ProfileFeatures:
    """``features`` with row ``index`` describing ``profile`` instead.

    Equal, for scoring, to rebuilding the features with that one profile swapped, without
    re-reading any other profile: what a live pool needs when one member of a large
    program edits their profile. ``copy=False`` writes the numeric arrays (the embedding
    matrix is 15 MB for 10,000 profiles) in place, for an owner that drops the old
    features at once; the term bags and codes are always copied on write (small).
    """

    def _array_with(array: np.ndarray, value: Any) -> np.ndarray:
        target = array.copy() if copy else array
        target[index] = value
        return target

    raw = profile.profile
    embeddings, has_embedding = features.embeddings, features.has_embedding
    vector = profile.unit_embedding
    if vector is not None and embeddings.shape[1] == 0 and len(features) > 0:
        # the first embedding on this side: its dimension is not known yet, rebuild
        prepared = (*features.prepared[:index], profile, *features.prepared[index + 1 :])
        return build_features(prepared, features.side, at=features.at)
    if vector is not None and len(vector) != embeddings.shape[1]:
        raise ValueError("profiles carry embeddings of different sizes")
    embeddings = _array_with(embeddings, 0.0 if vector is None else vector)
    has_embedding = _array_with(has_embedding, vector is not None)
    side_terms = profile.offered if features.side == "mentor" else profile.sought
    return ProfileFeatures(
        side=features.side,
        at=features.at,
        prepared=(*features.prepared[:index], profile, *features.prepared[index + 1 :]),
        member_ids=(*features.member_ids[:index], raw.member_id, *features.member_ids[index + 1 :]),
        user_ids=_codes_with(features.user_ids, index, raw.user_id),
        organization_ids=_codes_with(features.organization_ids, index, raw.organization_id),
        industries=_codes_with(features.industries, index, profile.industry),
        job_functions=_codes_with(features.job_functions, index, profile.job_function),
        has_industry=_array_with(features.has_industry, bool(profile.industry)),
        has_job_function=_array_with(features.has_job_function, bool(profile.job_function)),
        is_mentor=_array_with(features.is_mentor, MENTOR_ROLE in raw.roles),
        is_mentee=_array_with(features.is_mentee, MENTEE_ROLE in raw.roles),
        approved=_array_with(features.approved, raw.mentor_approved),
        accepting=_array_with(features.accepting, raw.accepting_mentees),
        has_free_capacity=_array_with(
            features.has_free_capacity, raw.capacity - raw.active_mentee_count > 0
        ),
        utc_offsets=_array_with(features.utc_offsets, profile.utc_offset_hours),
        years=_array_with(features.years, profile.years_experience),
        skills=_bag_with(features.skills, index, side_terms),
        languages=_bag_with(features.languages, index, profile.languages),
        keywords=_bag_with(features.keywords, index, profile.keyword_tokens),
        embeddings=embeddings,
        has_embedding=has_embedding,
    )


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


def score_features(
    mentors: ProfileFeatures, mentees: ProfileFeatures, rules: ProgramRules
) -> ScoreResult:
    """The vectorised scorer: all pairs of two precomputed feature sets."""
    shape = (len(mentors), len(mentees))
    unknown = np.float32(np.nan)

    shared_skills = _shared_counts(mentors.skills, mentees.skills)
    shared_tokens = _shared_counts(mentors.keywords, mentees.keywords)
    shared_languages = _shared_counts(mentors.languages, mentees.languages)

    both_years = ~np.isnan(mentors.years)[:, None] & ~np.isnan(mentees.years)[None, :]
    gap = mentors.years[:, None] - mentees.years[None, :]
    both_offsets = ~np.isnan(mentors.utc_offsets)[:, None] & ~np.isnan(mentees.utc_offsets)[None, :]
    apart = _hours_apart(mentors.utc_offsets[:, None], mentees.utc_offsets[None, :])

    if mentors.embeddings.shape[1] and mentees.embeddings.shape[1]:
        if mentors.embeddings.shape[1] != mentees.embeddings.shape[1]:
            raise ValueError("mentor and mentee embeddings have different sizes")
        cosine = np.clip(mentors.embeddings @ mentees.embeddings.T, 0.0, 1.0)
        both_embedded = mentors.has_embedding[:, None] & mentees.has_embedding[None, :]
        semantic = np.where(both_embedded, cosine, unknown).astype(np.float32)
    else:
        semantic = np.full(shape, unknown, dtype=np.float32)

    criteria: dict[str, np.ndarray] = {
        "skills": _set_cosine(
            shared_skills, mentors.skills.sizes[:, None], mentees.skills.sizes[None, :]
        ).astype(np.float32),
        "industry": np.where(
            mentors.has_industry[:, None] & mentees.has_industry[None, :],
            _equal(mentors.industries, mentees.industries),
            unknown,
        ).astype(np.float32),
        "function": np.where(
            mentors.has_job_function[:, None] & mentees.has_job_function[None, :],
            _equal(mentors.job_functions, mentees.job_functions),
            unknown,
        ).astype(np.float32),
        "experience": np.where(
            both_years, _experience_gap_value(np.where(both_years, gap, 0.0), rules), unknown
        ).astype(np.float32),
        "timezone": np.where(
            both_offsets, _timezone_value(np.where(both_offsets, apart, 0.0)), unknown
        ).astype(np.float32),
        "keywords": _set_cosine(
            shared_tokens, mentors.keywords.sizes[:, None], mentees.keywords.sizes[None, :]
        ).astype(np.float32),
        "semantic": semantic,
    }

    def mentor_only(flags: np.ndarray) -> np.ndarray:
        return np.broadcast_to(flags[:, None], shape)

    no = np.zeros(shape, dtype=bool)
    same_organization = _equal(mentors.organization_ids, mentees.organization_ids)
    violations: dict[str, np.ndarray] = {
        "not_a_mentor": mentor_only(~mentors.is_mentor),
        "not_a_mentee": np.broadcast_to(~mentees.is_mentee[None, :], shape),
        "same_person": _equal(mentors.user_ids, mentees.user_ids),
        "mentor_not_approved": (
            mentor_only(~mentors.approved) if rules.require_mentor_approval else no
        ),
        "mentor_not_accepting": mentor_only(~mentors.accepting),
        "mentor_full": (
            mentor_only(~mentors.has_free_capacity) if rules.require_free_capacity else no
        ),
        "organization_rule": (
            ~same_organization
            if rules.organization_rule == "same"
            else same_organization
            if rules.organization_rule == "different"
            else no
        ),
        "no_shared_language": (shared_languages == 0) if rules.require_shared_language else no,
        "timezone_too_far": (
            both_offsets & (apart > rules.max_timezone_hours)
            if rules.max_timezone_hours is not None
            else no
        ),
        "experience_gap_out_of_range": (
            both_years & _experience_gap_outside(np.where(both_years, gap, 0.0), rules)
            if rules.enforce_experience_gap
            else no
        ),
    }
    feasible = np.ones(shape, dtype=bool)
    for violated in violations.values():
        feasible &= ~violated

    # The composite is computed from the float32 criteria, as the per-pair path does.
    composite = _composite({c: criteria[c].astype(np.float64) for c in CRITERIA}, rules)
    scores = np.where(feasible, composite, np.nan)
    return ScoreResult(
        mentor_ids=mentors.member_ids,
        mentee_ids=mentees.member_ids,
        scores=scores,
        feasible=feasible,
        criteria=criteria,
        violations=violations,
    )


def _as_features(
    profiles: Sequence[MatchableProfile | PreparedProfile] | ProfileFeatures,
    side: Side,
    at: datetime | None,
) -> ProfileFeatures:
    if isinstance(profiles, ProfileFeatures):
        if profiles.side != side:
            raise ValueError(f"features were built for the {profiles.side} side, not {side}")
        return profiles
    return build_features(profiles, side, at=at)


def score_matrix(
    mentors: Sequence[MatchableProfile | PreparedProfile] | ProfileFeatures,
    mentees: Sequence[MatchableProfile | PreparedProfile] | ProfileFeatures,
    rules: ProgramRules,
    *,
    at: datetime | None = None,
) -> ScoreResult:
    """All mentor x mentee pairs. Pass ``ProfileFeatures`` to reuse precomputed pools."""
    at = at or datetime.now(UTC)
    return score_features(
        _as_features(mentors, "mentor", at), _as_features(mentees, "mentee", at), rules
    )


def score_one_mentee_against(
    mentors: Sequence[MatchableProfile | PreparedProfile] | ProfileFeatures,
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
    mentees: Sequence[MatchableProfile | PreparedProfile] | ProfileFeatures,
    rules: ProgramRules,
    *,
    at: datetime | None = None,
) -> ScoreResult:
    """Re-score one (changed) mentor against every mentee: a (1, n_mentees) result."""
    at = at or (mentees.at if isinstance(mentees, ProfileFeatures) else datetime.now(UTC))
    return score_features(
        build_features([mentor], "mentor", at=at), _as_features(mentees, "mentee", at), rules
    )
