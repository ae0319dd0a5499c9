"""Why a pair scores what it scores, in words a member can check.

Reasons name the concrete things two profiles share ("shares: Kubernetes, Python"), whole
phrases in the mentee's own spelling; placeholders never appear (they are unknown, not
shared). Contributions use the arithmetic of the matrices, so an explanation never
disagrees with a ranking.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from matching.domain.matchable import MatchableProfile, PreparedProfile, prepare_profile
from matching.domain.pair_rules import Constraint, assess_pair, composite_of_pair, hours_apart
from matching.domain.rules import CUSTOM_PREFIX, ProgramRules


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


CONSTRAINT_MESSAGES: Mapping[Constraint, str] = {
    "not_a_mentor": "not a mentor in this program",
    "not_a_mentee": "not a mentee in this program",
    "same_person": "mentor and mentee are the same person",
    "mentor_not_approved": "mentor is not approved in this program",
    "mentor_not_accepting": "mentor is not accepting mentees",
    "mentor_full": "mentor has no free capacity",
    "organization_rule": "organization rule of the program",
    "no_shared_language": "no shared language",
    "timezone_too_far": "too many hours apart",
    "experience_gap_out_of_range": "experience gap outside the program's range",
}


#: "Not approved", said as what it is, by the state of the mentor's latest application
#: (no application known: the neutral message above).
NOT_APPROVED_MESSAGES: Mapping[str, str] = {
    "submitted": "mentor's application is waiting for approval",
    "rejected": "mentor was not approved in this program (application rejected)",
}


def with_application_state(explanation: Explanation, state: str | None) -> Explanation:
    """``explanation`` with its "not approved" exclusion telling a pending application from
    a rejected one."""
    text = NOT_APPROVED_MESSAGES.get(state or "")
    if text is None or "mentor_not_approved" not in explanation.excluded_by:
        return explanation
    exclusions = tuple(
        text if code == "mentor_not_approved" else words
        for code, words in zip(explanation.excluded_by, explanation.exclusions, strict=True)
    )
    return replace(explanation, exclusions=exclusions)


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
    if code == "mentor_full":
        return (
            f"mentor has no free capacity ({mentor.profile.active_mentee_count} mentees, "
            f"capacity {mentor.profile.capacity})"
        )
    return CONSTRAINT_MESSAGES[code]


def _display_spelling(mentee_spelling: str, mentor_spelling: str) -> str:
    """The mentee's words, unless only the mentor capitalised them ("python" -> "Python")."""
    if mentee_spelling.islower() and not mentor_spelling.islower():
        if mentee_spelling.casefold() == mentor_spelling.casefold():
            return mentor_spelling
    return mentee_spelling


def _shared(mentor_terms: Mapping[str, str], mentee_terms: Mapping[str, str]) -> list[str]:
    """What two term maps share, in the mentee's spelling, sorted case-insensitively."""
    return sorted(
        (
            _display_spelling(mentee_terms[c], mentor_terms[c])
            for c in mentor_terms.keys() & mentee_terms.keys()
        ),
        key=str.casefold,
    )


def _shared_languages(mentor: PreparedProfile, mentee: PreparedProfile) -> list[str]:
    return [mentee.languages[lang] for lang in sorted(mentor.languages.keys() & mentee.languages)]


Reason = Callable[[float, PreparedProfile, PreparedProfile, ProgramRules], str]


def _skills(value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules) -> str:
    shared = _shared(m.offered, t.sought)
    return "shares: " + ", ".join(shared) if shared else "no skills in common"


def _fields(value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules) -> str:
    if math.isnan(value):
        return "no known field in what is sought"
    related = sorted(m.offered_fields.keys() & t.sought_fields.keys())
    return "related fields: " + ", ".join(related) if related else "no related fields"


def _keywords(value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules) -> str:
    shared = _shared(m.keyword_phrases, t.keyword_phrases)
    return "keywords in common: " + ", ".join(shared) if shared else "no keywords in common"


def _industry(value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules) -> str:
    if math.isnan(value):
        return "industry unknown"
    if value == 1.0:
        return f"same industry ({t.profile.industry.strip()})"
    return f"different industries ({m.profile.industry.strip()} / {t.profile.industry.strip()})"


def _function(value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules) -> str:
    if math.isnan(value):
        return "job function unknown"
    mine, theirs = m.profile.job_function.strip(), t.profile.job_function.strip()
    if value == 1.0:
        return f"same job function ({theirs})"
    return f"different job functions ({mine} / {theirs})"


def _timezone(value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules) -> str:
    if math.isnan(value):
        return "time zone unknown"
    return f"{_format_hours(float(hours_apart(m.utc_offset_hours, t.utc_offset_hours)))} h apart"


def _experience(value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules) -> str:
    if math.isnan(value):
        return "years of experience unknown"
    gap = m.years_experience - t.years_experience
    wanted = (
        f"{_format_years(rules.experience_gap_min_years)}-"
        f"{_format_years(rules.experience_gap_max_years)}"
        if rules.experience_gap_max_years is not None
        else f"at least {_format_years(rules.experience_gap_min_years)}"
    )
    more = "more" if gap >= 0 else "fewer"
    return f"mentor has {_format_years(abs(gap))} {more} years of experience (wanted {wanted})"


def _semantic(value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules) -> str:
    if math.isnan(value):
        return "no profile embedding"
    return f"profiles describe related topics (similarity {value:.2f})"


def _languages(value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules) -> str:
    if math.isnan(value):
        return "languages unknown"
    shared = _shared_languages(m, t)
    return "both speak " + _join_words(shared) if shared else "no shared language"


def _availability(value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules) -> str:
    if math.isnan(value):
        return "mentor capacity unknown"
    free = max(int(m.free_slots), 0)
    return f"mentor has {free} of {m.profile.capacity} places free"


def _custom(criterion: str, value: float, m: PreparedProfile, t: PreparedProfile) -> str:
    key = criterion[len(CUSTOM_PREFIX) :]
    label = key.replace("_", " ")
    if math.isnan(value):
        return f"{label} unknown"
    shared = _shared(m.custom.get(key, {}), t.custom.get(key, {}))
    return f"same {label}: " + ", ".join(shared) if shared else f"different {label}"


REASONS: Mapping[str, Reason] = {
    "skills": _skills,
    "fields": _fields,
    "keywords": _keywords,
    "industry": _industry,
    "function": _function,
    "timezone": _timezone,
    "experience": _experience,
    "semantic": _semantic,
    "languages": _languages,
    "availability": _availability,
}


def _reason(
    criterion: str, value: float, m: PreparedProfile, t: PreparedProfile, rules: ProgramRules
) -> str:
    if criterion.startswith(CUSTOM_PREFIX):
        return _custom(criterion, value, m, t)
    return REASONS[criterion](value, m, t, rules)


def _is_highlight(criterion: str, value: float) -> bool:
    if math.isnan(value) or value <= 0 or criterion == "languages":  # languages: see explain
        return False
    return criterion not in ("industry", "function") or value == 1.0


def _prepared(profile: MatchableProfile | PreparedProfile, at: datetime) -> PreparedProfile:
    return profile if isinstance(profile, PreparedProfile) else prepare_profile(profile, at)


def explain(
    mentor: MatchableProfile | PreparedProfile,
    mentee: MatchableProfile | PreparedProfile,
    rules: ProgramRules,
    *,
    at: datetime | None = None,
) -> Explanation:
    """Why this pair scores what it scores, criterion by criterion, in words."""
    at = at or datetime.now(UTC)
    m, t = _prepared(mentor, at), _prepared(mentee, at)
    values, violated = assess_pair(m, t, rules)
    criteria = rules.criteria
    known_weight = sum(rules.weight(c) for c in criteria if not math.isnan(values[c]))
    contributions = sorted(
        (
            CriterionContribution(
                criterion=c,
                weight=rules.weight(c),
                value=None if math.isnan(values[c]) else values[c],
                contribution=(
                    rules.weight(c) * values[c] / known_weight
                    if not math.isnan(values[c]) and known_weight > 0
                    else 0.0
                ),
                reason=_reason(c, values[c], m, t, rules),
            )
            for c in criteria
        ),
        key=lambda c: (-c.contribution, criteria.index(c.criterion)),
    )
    reasons = [
        c.reason
        for c in contributions
        if c.weight > 0 and c.value is not None and _is_highlight(c.criterion, c.value)
    ]
    shared_languages = _shared_languages(m, t)
    if shared_languages:  # a shared language is always worth saying, weighted or not
        reasons.insert(1 if reasons else 0, "both speak " + _join_words(shared_languages))
    return Explanation(
        mentor_id=m.member_id,
        mentee_id=t.member_id,
        feasible=not violated,
        score=None if violated else composite_of_pair(values, rules),
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
    m, t = _prepared(mentor, at), _prepared(mentee, at)
    return {
        "skills": _shared(m.offered, t.sought),
        "languages": _shared_languages(m, t),
        "keywords": _shared(m.keyword_phrases, t.keyword_phrases),
    }
