"""A program's matching rules: which criteria count and how much, and its hard constraints.

Programs weigh profile fields (``skills``, ``languages``, ``custom:track``, ...); the scorer
weighs criteria. :func:`weights_from_program` is the one translation between the two, so
every key a program can set moves the ranking: what a mentee asks for (skills, expertise,
goals, interests) is compared both as terms and by meaning, and context (industry,
function, time zone, experience, languages, availability) only adds to that.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

CUSTOM_PREFIX = "custom:"

Criterion = Literal[
    "skills",
    "fields",
    "industry",
    "function",
    "experience",
    "timezone",
    "keywords",
    "semantic",
    "languages",
    "availability",
]
#: The built-in criteria, in the order explanations list them; ``custom:<key>`` follow.
CRITERIA: tuple[Criterion, ...] = (
    "skills",
    "fields",
    "industry",
    "function",
    "experience",
    "timezone",
    "keywords",
    "semantic",
    "languages",
    "availability",
)
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "skills": 0.30,
    "fields": 0.10,
    "semantic": 0.25,
    "keywords": 0.10,
    "industry": 0.05,
    "function": 0.05,
    "experience": 0.05,
    "timezone": 0.05,
    "languages": 0.05,
}

#: Program weight keys (profile field names) -> the criteria they feed, with shares.
#: The fields that say what is offered and asked feed the term, related-field and meaning
#: criteria.
ASKED_FIELD_SHARES: Mapping[str, float] = {"skills": 0.45, "fields": 0.15, "semantic": 0.4}
WEIGHT_KEYS: Mapping[str, Mapping[str, float]] = {
    "skills": ASKED_FIELD_SHARES,
    "expertise": ASKED_FIELD_SHARES,
    "goals": ASKED_FIELD_SHARES,
    "interests": ASKED_FIELD_SHARES,
    "keywords": {"keywords": 1.0},
    "semantic": {"semantic": 1.0},
    "bio": {"semantic": 1.0},
    "headline": {"semantic": 1.0},
    "industry": {"industry": 1.0},
    "job_function": {"function": 1.0},
    "function": {"function": 1.0},
    "years_experience": {"experience": 1.0},
    "experience": {"experience": 1.0},
    "timezone": {"timezone": 1.0},
    "languages": {"languages": 1.0},
    "capacity": {"availability": 1.0},
    "accepting_mentees": {"availability": 1.0},
    "availability": {"availability": 1.0},
}

OrganizationRule = Literal["any", "same", "different"]


def is_custom_criterion(name: str) -> bool:
    return name.startswith(CUSTOM_PREFIX) and len(name) > len(CUSTOM_PREFIX)


def weights_from_program(weights: Mapping[str, float]) -> dict[str, float]:
    """The scorer's criterion weights for a program's ``matching_weights``.

    Several keys may feed one criterion (their weights add up). Raises ``ValueError`` for a
    key that is neither a known field nor ``custom:<key>``: a weight is never ignored.
    """
    mapped: dict[str, float] = {}
    unknown = sorted(k for k in weights if k not in WEIGHT_KEYS and not is_custom_criterion(k))
    if unknown:
        raise ValueError(f"unknown matching weight keys: {unknown}")
    for key, weight in weights.items():
        if weight <= 0:
            continue
        shares = WEIGHT_KEYS.get(key) or {key: 1.0}
        for criterion, share in shares.items():
            mapped[criterion] = mapped.get(criterion, 0.0) + share * float(weight)
    if not mapped:
        return dict(DEFAULT_WEIGHTS)
    return {**{c: 0.0 for c in CRITERIA}, **mapped}


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
        unknown = {w for w in self.weights if w not in CRITERIA and not is_custom_criterion(w)}
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

    @property
    def criteria(self) -> tuple[str, ...]:
        """Every criterion scored under these rules: the built-in ones, then custom fields."""
        return (*CRITERIA, *sorted(w for w in self.weights if is_custom_criterion(w)))

    @property
    def custom_fields(self) -> tuple[str, ...]:
        """The custom field keys the rules weigh (``custom:track`` -> ``track``)."""
        return tuple(c[len(CUSTOM_PREFIX) :] for c in self.criteria if is_custom_criterion(c))
