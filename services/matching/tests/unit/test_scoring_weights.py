"""Every weight a program can set moves the ranking, in the expected direction; placeholder
values never match; phrases stay whole; what the mentee asks for outweighs context."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from matching.domain.explanations import explain, shared_items
from matching.domain.matchable import MatchableProfile
from matching.domain.rules import WEIGHT_KEYS, ProgramRules, weights_from_program
from matching.domain.terms import is_placeholder
from matching.domain.vectorised import score_matrix

AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

MENTEE = MatchableProfile(
    member_id="mentee",
    user_id="u-mentee",
    organization_id="org-b",
    roles=frozenset({"mentee"}),
    timezone="Europe/Paris",
    languages=("French", "English"),
    industry="Fintech",
    job_function="Engineering",
    years_experience=3,
    goals=("Kubernetes",),
    keywords=("open source",),
    headline="Backend developer",
    custom_fields={"track": "Leadership"},
)


def _mentor(member_id: str, **changes: object) -> MatchableProfile:
    base = MatchableProfile(
        member_id=member_id,
        user_id="u-" + member_id,
        organization_id="org-a",
        roles=frozenset({"mentor"}),
        mentor_approved=True,
        timezone="Europe/Paris",
        languages=("French", "English"),
        industry="Fintech",
        job_function="Engineering",
        years_experience=12,
        skills=("Kubernetes",),
        keywords=("open source",),
        headline="Backend developer",
        capacity=2,
        custom_fields={"track": "Leadership"},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# For each program key: the profile values that are good and bad for what it weighs.
GOOD_AND_BAD: dict[str, tuple[dict[str, object], dict[str, object]]] = {
    "skills": ({"skills": ("Kubernetes",)}, {"skills": ("Accounting",)}),
    "expertise": (
        {"skills": (), "expertise": ("Kubernetes",)},
        {"skills": (), "expertise": ("Accounting",)},
    ),
    "goals": ({"skills": ("Kubernetes",)}, {"skills": ("Accounting",)}),
    "interests": ({"skills": ("Kubernetes",)}, {"skills": ("Accounting",)}),
    "keywords": ({"keywords": ("open source",)}, {"keywords": ("tax law",)}),
    "industry": ({"industry": "Fintech"}, {"industry": "Retail"}),
    "job_function": ({"job_function": "Engineering"}, {"job_function": "Sales"}),
    "years_experience": ({"years_experience": 12}, {"years_experience": 40}),
    "timezone": ({"timezone": "Europe/Paris"}, {"timezone": "Asia/Tokyo"}),
    "languages": ({"languages": ("French", "English")}, {"languages": ("English",)}),
    "capacity": ({"active_mentee_count": 0}, {"active_mentee_count": 1}),
    "accepting_mentees": ({"active_mentee_count": 0}, {"active_mentee_count": 1}),
    "custom:track": (
        {"custom_fields": {"track": "Leadership"}},
        {"custom_fields": {"track": "Entrepreneurship"}},
    ),
}


@pytest.mark.parametrize("key", sorted(GOOD_AND_BAD))
def test_raising_a_weight_moves_the_mentor_it_favours_up(key: str) -> None:
    """``favoured`` is better on what ``key`` weighs, ``other`` on a counter criterion: a
    tiny weight leaves ``other`` first, a large one puts ``favoured`` first."""
    counter = "timezone" if key == "industry" else "industry"
    good, bad = GOOD_AND_BAD[key]
    counter_good, counter_bad = GOOD_AND_BAD[counter]
    favoured = _mentor("favoured", **good, **counter_bad)
    other = _mentor("other", **bad, **counter_good)
    mentee = MENTEE
    if key == "interests":
        mentee = replace(MENTEE, goals=(), interests=("Kubernetes",))

    def gap(weight: float) -> float:
        weights = weights_from_program({counter: 1.0, key: weight})
        rules = ProgramRules(weights=weights, require_shared_language=False)
        result = score_matrix([favoured, other], [mentee], rules, at=AT)
        assert result.feasible.all()
        return float(result.scores[0, 0] - result.scores[1, 0])

    assert gap(0.001) < 0 < gap(100.0)


def test_every_program_weight_key_is_either_scored_or_refused() -> None:
    assert set(GOOD_AND_BAD) - {"custom:track"} <= set(WEIGHT_KEYS)
    for key in ("semantic", "bio", "headline", "function", "experience"):
        assert weights_from_program({key: 1.0})[next(iter(WEIGHT_KEYS[key]))] > 0
    with pytest.raises(ValueError, match="display_name"):
        weights_from_program({"display_name": 1.0})


@pytest.mark.parametrize(
    "value", ["Other", "other ", "N/A", "n/a", "Unknown", "None", "-", "", "  ", "Autre", "AUTRE"]
)
def test_placeholders_are_never_a_shared_industry_or_function(value: str) -> None:
    assert is_placeholder(value)
    mentee = replace(MENTEE, industry=value, job_function=value, goals=(value,), keywords=())
    mentor = _mentor("m", industry=value, job_function=value, skills=(value,), keywords=())
    explanation = explain(mentor, mentee, ProgramRules(), at=AT)
    values = {c.criterion: c.value for c in explanation.contributions}
    assert values["industry"] is None and values["function"] is None
    assert values["skills"] == 0
    if value.strip().isalpha():
        assert all(value.strip().casefold() not in r.casefold() for r in explanation.reasons)
    assert not any("same industry" in r or "same job function" in r for r in explanation.reasons)


def test_keyword_phrases_stay_whole_in_explanations() -> None:
    mentee = replace(MENTEE, goals=(), keywords=("site reliability engineering", "open source"))
    mentor = _mentor(
        "m", skills=(), keywords=("Site reliability engineering", "open-source", "site visits")
    )
    shared = shared_items(mentor, mentee, at=AT)["keywords"]
    assert shared == ["open source", "Site reliability engineering"]
    summary = explain(mentor, mentee, ProgramRules(), at=AT).summary()
    assert "site, " not in summary and "open, " not in summary


def test_a_shared_word_is_not_a_shared_phrase() -> None:
    mentee = replace(MENTEE, goals=("machine learning",), keywords=())
    decoy = _mentor("decoy", skills=("learning and development",), keywords=())
    assert shared_items(decoy, mentee, at=AT) == {
        "skills": [],
        "languages": ["English", "French"],
        "keywords": [],
    }


def test_what_the_mentee_asks_for_outweighs_a_shared_broad_industry() -> None:
    mentee = replace(
        MENTEE,
        industry="Technology",
        job_function="Engineering",
        goals=("grow as a people leader",),
    )
    leader = _mentor("leader", industry="Health", job_function="Management", skills=("Leadership",))
    platform = _mentor(
        "platform",
        industry="Technology",
        job_function="Engineering",
        skills=("Kubernetes", "Security"),
    )
    result = score_matrix([leader, platform], [mentee], ProgramRules(), at=AT)
    assert [m for m, _ in result.ranked_mentors("mentee")] == ["leader", "platform"]


def test_french_and_abbreviations_meet_their_canonical_words() -> None:
    mentee = replace(MENTEE, goals=("gestion de projet", "k8s"), keywords=())
    mentor = _mentor("m", skills=("Project management", "Kubernetes"), keywords=())
    assert shared_items(mentor, mentee, at=AT)["skills"] == ["gestion de projet", "k8s"]


def test_related_fields_are_scored_but_not_called_shared() -> None:
    mentee = replace(MENTEE, goals=("appsec",), keywords=())
    mentor = _mentor("m", skills=("Penetration testing",), keywords=())
    explanation = explain(mentor, mentee, ProgramRules(), at=AT)
    fields = next(c for c in explanation.contributions if c.criterion == "fields")
    assert fields.value and fields.value > 0
    assert fields.reason == "related fields: security engineering"
    assert "related fields: security engineering" in explanation.reasons
    assert shared_items(mentor, mentee, at=AT)["skills"] == []


def test_a_language_code_is_named_in_reasons() -> None:
    from matching.domain.matchable import prepare_profile
    from matching.domain.terms import normalize_language

    assert normalize_language("sw") == normalize_language("Kiswahili") == "swahili"
    prepared = prepare_profile(replace(MENTEE, languages=("sw",)), AT)
    assert list(prepared.languages.values()) == ["Swahili"]
