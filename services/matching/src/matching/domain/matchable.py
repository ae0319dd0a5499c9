"""Who can be matched: a member as matching sees them, and that member prepared once.

Preparing normalises every term, language and category (placeholders such as "Other"
become unknown) so the rules compare canonical values and never re-parse text per pair.
Embedding a profile is the semantic criterion's input; the text recipe lives here so
mentors and mentees are embedded the same way, and the model is behind :class:`TextEncoder`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Protocol, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from matching.domain.terms import (
    fields_of,
    is_placeholder,
    normalize_language,
    normalize_terms,
    term_phrases,
)

MENTOR_ROLE = "mentor"
MENTEE_ROLE = "mentee"

#: A custom field's value on a profile (``custom_fields`` of ``profile-changed``).
CustomValue = str | float | tuple[str, ...]


class TextEncoder(Protocol):
    """A sentence-embedding model: one unit vector per text."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


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
    # a mapping is accepted and kept as (key, value) pairs sorted by key (hashable)
    custom_fields: tuple[tuple[str, CustomValue], ...] | Mapping[str, object] = ()
    embedding: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Accept lists/sets/dicts from callers but keep the profile immutable and hashable.
        object.__setattr__(self, "roles", frozenset(self.roles))
        for name in ("languages", "skills", "expertise", "goals", "interests", "keywords"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        pairs = self.custom_fields
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        object.__setattr__(
            self,
            "custom_fields",
            tuple(sorted((str(k), _frozen_value(v)) for k, v in items)),
        )

    @property
    def custom_items(self) -> tuple[tuple[str, CustomValue], ...]:
        return cast(tuple[tuple[str, CustomValue], ...], self.custom_fields)

    @property
    def free_slots(self) -> int:
        if not self.accepting_mentees:
            return 0
        return max(self.capacity - self.active_mentee_count, 0)


def _frozen_value(value: object) -> CustomValue:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class PreparedProfile:
    """A profile with its terms normalised once (canonical form -> how to show it)."""

    profile: MatchableProfile
    offered: Mapping[str, str]  # skills and expertise: what the member can teach
    sought: Mapping[str, str]  # goals, interests and skills: what the member wants to grow
    offered_fields: Mapping[str, str]  # the fields of what is offered ("security engineering")
    sought_fields: Mapping[str, str]  # the fields of what is sought
    languages: Mapping[str, str]
    keyword_phrases: Mapping[str, str]  # every term of the profile, as whole phrases
    industry: str  # canonical; "" when unknown or a placeholder
    job_function: str
    utc_offset_hours: float
    years_experience: float
    unit_embedding: np.ndarray | None
    custom: Mapping[str, Mapping[str, str]]  # custom field -> its canonical values

    @property
    def member_id(self) -> str:
        return self.profile.member_id

    @property
    def free_slots(self) -> float:
        """Places left as the capacity rule counts them (may be negative when overbooked)."""
        return float(self.profile.capacity - self.profile.active_mentee_count)


@lru_cache(maxsize=4096)
def _utc_offset_hours(timezone: str, at: datetime) -> float:
    if not timezone:
        return math.nan
    try:
        offset = ZoneInfo(timezone).utcoffset(at)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a directory of tzdata
        return math.nan
    return math.nan if offset is None else offset.total_seconds() / 3600.0


def _category(value: str) -> str:
    return "" if is_placeholder(value) else " ".join(value.casefold().split())


def _unit(vector: np.ndarray | None) -> np.ndarray | None:
    if vector is None:
        return None
    vector = np.asarray(vector, dtype=np.float32).ravel()
    norm = float(np.linalg.norm(vector))
    return vector / np.float32(norm) if norm > 0 and math.isfinite(norm) else None


def _custom_values(value: CustomValue) -> dict[str, str]:
    if isinstance(value, float):
        text = f"{int(value)}" if value.is_integer() else f"{value:g}"
        return {text: text}
    return normalize_terms((value,) if isinstance(value, str) else value)


def prepare_profile(profile: MatchableProfile, at: datetime) -> PreparedProfile:
    languages: dict[str, str] = {}
    for language in profile.languages:
        canonical = normalize_language(language)
        if canonical and canonical not in languages:
            languages[canonical] = canonical.title()
    years = profile.years_experience
    custom = {key: _custom_values(value) for key, value in profile.custom_items}
    offered = normalize_terms((*profile.skills, *profile.expertise))
    sought = normalize_terms((*profile.goals, *profile.interests, *profile.skills))
    return PreparedProfile(
        profile=profile,
        offered=offered,
        sought=sought,
        offered_fields=fields_of(offered),
        sought_fields=fields_of(sought),
        languages=languages,
        keyword_phrases=normalize_terms(
            (
                *profile.keywords,
                *profile.skills,
                *profile.expertise,
                *profile.goals,
                *profile.interests,
            )
        ),
        industry=_category(profile.industry),
        job_function=_category(profile.job_function),
        utc_offset_hours=_utc_offset_hours(profile.timezone, at),
        years_experience=math.nan if years is None else float(years),
        unit_embedding=_unit(profile.embedding),
        custom={key: values for key, values in custom.items() if values},
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
        values = tuple(v for v in values if not is_placeholder(v))
        if values:
            parts.append(f"{label}: {', '.join(values)}.")
    # The canonical English words of abbreviations and French wordings ("k8s", "gestion de
    # projet"), which the English sentence model reads far better than the originals.
    written = " ".join(parts).casefold()
    topics = dict.fromkeys(
        phrase
        for values in (profile.skills, profile.expertise, profile.goals, profile.interests)
        for value in values
        for phrase in term_phrases(value)
        if phrase not in written
    )
    if topics:
        parts.append(f"Topics: {', '.join(topics)}.")
    return " ".join(part.strip() for part in parts if part.strip())


def embed_profiles(
    profiles: Sequence[MatchableProfile], encoder: TextEncoder
) -> list[MatchableProfile]:
    """``profiles`` with their semantic embedding (profiles without text get none)."""
    texts = [profile_text(p) for p in profiles]
    wanted = [i for i, text in enumerate(texts) if text]
    vectors = encoder.encode([texts[i] for i in wanted]) if wanted else np.zeros((0, 0))
    out = list(profiles)
    for row, index in enumerate(wanted):
        out[index] = replace(profiles[index], embedding=np.asarray(vectors[row]))
    return out
