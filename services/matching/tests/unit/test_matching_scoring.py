"""Scoring of mentor x mentee pairs: explanations, hard rules, vectorised == per pair."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain.explanations import explain
from matching.domain.features import build_features, replace_profile
from matching.domain.matchable import MatchableProfile, prepare_profile, profile_text
from matching.domain.pair_rules import CONSTRAINTS, score_pair
from matching.domain.rules import CRITERIA, ProgramRules
from matching.domain.terms import keyword_tokens, normalize_language, normalize_term
from matching.domain.vectorised import (
    score_matrix,
    score_one_mentee_against,
    score_one_mentor_against,
)

AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # winter: Paris UTC+1, Toronto UTC-5


def mentor(**changes: object) -> MatchableProfile:
    base = MatchableProfile(
        member_id="mentor-1",
        user_id="user-mentor-1",
        organization_id="org-a",
        roles=frozenset({"mentor"}),
        mentor_approved=True,
        timezone="Europe/Paris",
        languages=("French", "English"),
        industry="Fintech",
        job_function="Engineering",
        years_experience=15,
        skills=("K8s", "Python", "Go"),
        expertise=("cloud architecture",),
        keywords=("platform engineering",),
        capacity=2,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def mentee(**changes: object) -> MatchableProfile:
    base = MatchableProfile(
        member_id="mentee-1",
        user_id="user-mentee-1",
        organization_id="org-b",
        roles=frozenset({"mentee"}),
        timezone="Atlantic/Azores",  # UTC-1 in January: 2 h from Paris
        languages=("fr",),
        industry="fintech",
        job_function="Engineering",
        years_experience=3,
        goals=("Kubernetes", "Python"),
        interests=("public speaking",),
        keywords=("platform", "cloud"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


RULES = ProgramRules()


# --------------------------------------------------------------------------- explanations


def test_explanation_names_the_concrete_shared_items() -> None:
    explanation = explain(mentor(), mentee(), RULES, at=AT)

    assert explanation.feasible
    assert explanation.reasons[0] == "shares: Kubernetes, Python"
    assert "both speak French" in explanation.reasons
    assert "2 h apart" in explanation.reasons
    assert "same industry (fintech)" in explanation.reasons
    assert "mentor has 12 more years of experience (wanted 2-25)" in explanation.reasons
    summary = explanation.summary()
    assert summary.startswith("shares: Kubernetes, Python; both speak French")


def test_contributions_add_up_to_the_score() -> None:
    explanation = explain(mentor(), mentee(), RULES, at=AT)
    assert explanation.score is not None
    assert math.isclose(
        sum(c.contribution for c in explanation.contributions), explanation.score, abs_tol=1e-6
    )
    contributions = [c.contribution for c in explanation.contributions]
    assert contributions == sorted(contributions, reverse=True)
    semantic = next(c for c in explanation.contributions if c.criterion == "semantic")
    assert semantic.value is None and semantic.contribution == 0  # no embeddings given


def test_explanation_score_matches_the_matrix() -> None:
    result = score_matrix([mentor()], [mentee()], RULES, at=AT)
    explanation = explain(mentor(), mentee(), RULES, at=AT)
    assert explanation.score == pytest.approx(float(result.scores[0, 0]), abs=1e-9)


def test_infeasible_pair_is_explained_by_the_rule_that_excludes_it() -> None:
    explanation = explain(mentor(), mentee(languages=("Japanese",)), RULES, at=AT)
    assert not explanation.feasible and explanation.score is None
    assert explanation.excluded_by == ("no_shared_language",)
    assert explanation.summary() == "not a possible match: no shared language"


def test_aliases_match_different_spellings() -> None:
    explanation = explain(
        mentor(skills=("ML", "JS", "UX")),
        mentee(goals=("machine-learning", "JavaScript", "user experience")),
        RULES,
        at=AT,
    )
    assert explanation.reasons[0] == "shares: JavaScript, machine-learning, user experience"


def test_unknown_fields_are_left_out_of_the_weighted_mean() -> None:
    rules = ProgramRules(weights={"industry": 1.0, "timezone": 1.0})
    result = score_matrix([mentor(industry="")], [mentee()], rules, at=AT)
    assert np.isnan(result.criteria["industry"][0, 0])
    # Only the time zone is known: 2 h apart -> 1 - 2/12.
    assert result.scores[0, 0] == pytest.approx(1 - 2 / 12, abs=1e-6)


def test_time_zone_distance_wraps_around_the_date_line() -> None:
    near_date_line = explain(
        mentor(timezone="Etc/GMT-12"), mentee(timezone="Etc/GMT+11"), RULES, at=AT
    )
    assert "1 h apart" in near_date_line.reasons


# --------------------------------------------------------------------------- hard constraints


@pytest.mark.parametrize(
    ("code", "mentor_changes", "mentee_changes", "rules"),
    [
        ("not_a_mentor", {"roles": frozenset({"mentee"})}, {}, RULES),
        ("not_a_mentee", {}, {"roles": frozenset({"mentor"})}, RULES),
        ("same_person", {}, {"user_id": "user-mentor-1"}, RULES),
        ("mentor_not_approved", {"mentor_approved": False}, {}, RULES),
        ("mentor_not_accepting", {"accepting_mentees": False}, {}, RULES),
        ("mentor_full", {"active_mentee_count": 2}, {}, RULES),
        ("organization_rule", {}, {}, ProgramRules(organization_rule="same")),
        (
            "organization_rule",
            {},
            {"organization_id": "org-a"},
            ProgramRules(organization_rule="different"),
        ),
        ("no_shared_language", {}, {"languages": ("German",)}, RULES),
        ("no_shared_language", {"languages": ()}, {}, RULES),
        ("timezone_too_far", {}, {"timezone": "Asia/Tokyo"}, ProgramRules(max_timezone_hours=4)),
        (
            "experience_gap_out_of_range",
            {},
            {"years_experience": 14},
            ProgramRules(enforce_experience_gap=True),
        ),
    ],
)
def test_each_hard_constraint_masks_the_pair(
    code: str, mentor_changes: dict, mentee_changes: dict, rules: ProgramRules
) -> None:
    m, t = mentor(**mentor_changes), mentee(**mentee_changes)
    result = score_matrix([m], [t], rules, at=AT)

    assert not result.feasible[0, 0]
    assert np.isnan(result.scores[0, 0])
    assert result.score_of(m.member_id, t.member_id) is None
    assert [c for c in CONSTRAINTS if result.violations[c][0, 0]] == [code]
    assert explain(m, t, rules, at=AT).excluded_by == (code,)
    assert score_pair(prepare_profile(m, AT), prepare_profile(t, AT), rules) is None


def test_rules_that_are_switched_off_do_not_exclude() -> None:
    rules = ProgramRules(require_shared_language=False, require_mentor_approval=False)
    result = score_matrix(
        [mentor(mentor_approved=False)], [mentee(languages=("German",))], rules, at=AT
    )
    assert result.feasible[0, 0]


def test_unknown_time_zone_is_not_excluded_by_a_distance_limit() -> None:
    rules = ProgramRules(max_timezone_hours=1)
    result = score_matrix([mentor()], [mentee(timezone="")], rules, at=AT)
    assert result.feasible[0, 0]
    assert np.isnan(result.criteria["timezone"][0, 0])


@pytest.mark.parametrize("zone", ["Europe", "Not/AZone", "A" * 300])
def test_a_time_zone_tzdata_cannot_open_is_unknown(zone: str) -> None:
    """Contract-valid strings such as a tzdata directory name must not fail the consumer."""
    result = score_matrix([mentor()], [mentee(timezone=zone)], ProgramRules(), at=AT)
    assert np.isnan(result.criteria["timezone"][0, 0])


def test_invalid_rules_are_rejected() -> None:
    with pytest.raises(ValueError):
        ProgramRules(weights={"charisma": 1.0})
    with pytest.raises(ValueError):
        ProgramRules(weights={"skills": -1.0})
    with pytest.raises(ValueError):
        ProgramRules(weights={"skills": 0.0})
    with pytest.raises(ValueError):
        ProgramRules(organization_rule="sometimes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties

SKILLS = [
    "Python",
    "python",
    "K8s",
    "Kubernetes",
    "ML",
    "machine learning",
    "React",
    "UX",
    "Go",
    "golang",
    "SQL",
    "leadership",
    "public speaking",
    "cloud architecture",
]
TIMEZONES = [
    "UTC",
    "Europe/Paris",
    "America/Toronto",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Etc/GMT+11",
    "",
    "Not/AZone",
]
LANGUAGES = ["English", "en", "French", "fr", "Spanish", "de"]
INDUSTRIES = ["", "Fintech", "fintech", "Health", "Retail"]
FUNCTIONS = ["", "Engineering", "Product"]
ORGANIZATIONS = ["org-a", "org-b", "org-c"]
USERS = ["u1", "u2", "u3", "u4", "u5", "u6"]

small_lists = st.lists(st.sampled_from(SKILLS), max_size=4)
embeddings = st.one_of(
    st.none(),
    st.lists(st.floats(-1, 1, allow_nan=False, width=32), min_size=8, max_size=8).map(
        lambda values: np.array(values, dtype=np.float32)
    ),
)


@st.composite
def profile_lists(draw: st.DrawFn, min_size: int = 1, max_size: int = 6) -> list[MatchableProfile]:
    count = draw(st.integers(min_size, max_size))
    profiles = []
    for index in range(count):
        profiles.append(
            MatchableProfile(
                member_id=f"member-{index}",
                user_id=draw(st.sampled_from(USERS)),
                organization_id=draw(st.sampled_from(ORGANIZATIONS)),
                roles=frozenset(draw(st.sets(st.sampled_from(["mentor", "mentee", "admin"])))),
                mentor_approved=draw(st.booleans()),
                timezone=draw(st.sampled_from(TIMEZONES)),
                languages=tuple(draw(st.lists(st.sampled_from(LANGUAGES), max_size=3))),
                industry=draw(st.sampled_from(INDUSTRIES)),
                job_function=draw(st.sampled_from(FUNCTIONS)),
                years_experience=draw(st.one_of(st.none(), st.integers(0, 40).map(float))),
                skills=tuple(draw(small_lists)),
                expertise=tuple(draw(small_lists)),
                goals=tuple(draw(small_lists)),
                interests=tuple(draw(small_lists)),
                keywords=tuple(draw(small_lists)),
                capacity=draw(st.integers(0, 3)),
                accepting_mentees=draw(st.booleans()),
                active_mentee_count=draw(st.integers(0, 3)),
                embedding=draw(embeddings),
            )
        )
    return profiles


rule_sets = st.builds(
    ProgramRules,
    require_shared_language=st.booleans(),
    organization_rule=st.sampled_from(["any", "same", "different"]),
    require_mentor_approval=st.booleans(),
    max_timezone_hours=st.one_of(st.none(), st.sampled_from([2.0, 6.0])),
    enforce_experience_gap=st.booleans(),
)
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _assert_same(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(np.nan_to_num(a), np.nan_to_num(b), rtol=0, atol=1e-6)


@PROPERTY_SETTINGS
@given(mentors=profile_lists(), mentees=profile_lists(), rules=rule_sets)
def test_one_row_or_column_rescore_equals_the_slice_of_the_full_matrix(
    mentors: list[MatchableProfile], mentees: list[MatchableProfile], rules: ProgramRules
) -> None:
    full = score_matrix(mentors, mentees, rules, at=AT)
    mentor_pool = build_features(mentors, "mentor", at=AT)
    for column, one_mentee in enumerate(mentees):
        for pool in (mentors, mentor_pool):
            single = score_one_mentee_against(pool, one_mentee, rules, at=AT)
            assert single.shape == (len(mentors), 1)
            np.testing.assert_array_equal(single.feasible[:, 0], full.feasible[:, column])
            _assert_same(single.scores[:, 0], full.scores[:, column])
            for criterion in CRITERIA:
                _assert_same(single.criteria[criterion][:, 0], full.criteria[criterion][:, column])
    for row, one_mentor in enumerate(mentors):
        single = score_one_mentor_against(one_mentor, mentees, rules, at=AT)
        assert single.shape == (1, len(mentees))
        np.testing.assert_array_equal(single.feasible[0], full.feasible[row])
        _assert_same(single.scores[0], full.scores[row])


@PROPERTY_SETTINGS
@given(mentors=profile_lists(), mentees=profile_lists(), rules=rule_sets)
def test_matrix_agrees_with_the_per_pair_explanation(
    mentors: list[MatchableProfile], mentees: list[MatchableProfile], rules: ProgramRules
) -> None:
    full = score_matrix(mentors, mentees, rules, at=AT)
    for i, m in enumerate(mentors):
        for j, t in enumerate(mentees):
            explanation = explain(m, t, rules, at=AT)
            assert explanation.feasible == bool(full.feasible[i, j])
            assert list(explanation.excluded_by) == [
                c for c in CONSTRAINTS if full.violations[c][i, j]
            ]
            if explanation.feasible:
                assert explanation.score == pytest.approx(float(full.scores[i, j]), abs=1e-6)
                assert 0.0 <= float(full.scores[i, j]) <= 1.0 + 1e-9


@PROPERTY_SETTINGS
@given(
    mentors=profile_lists(),
    mentees=profile_lists(),
    replacements=profile_lists(max_size=3),
    rules=rule_sets,
    data=st.data(),
)
def test_replacing_one_row_of_features_equals_rebuilding_them(
    mentors: list[MatchableProfile],
    mentees: list[MatchableProfile],
    replacements: list[MatchableProfile],
    rules: ProgramRules,
    data: st.DataObject,
) -> None:
    """Live pools swap one member's row (new terms, embedding, capacity); scores must be
    those of features rebuilt from scratch, on either side of the matrix."""
    mentor_features = build_features(mentors, "mentor", at=AT)
    mentee_features = build_features(mentees, "mentee", at=AT)
    for new in replacements:
        side = data.draw(st.sampled_from(["mentor", "mentee"]))
        people = mentors if side == "mentor" else mentees
        index = data.draw(st.integers(0, len(people) - 1))
        swapped = replace(new, member_id=people[index].member_id)
        people[index] = swapped
        prepared = prepare_profile(swapped, AT)
        if side == "mentor":
            mentor_features = replace_profile(mentor_features, index, prepared)
        else:
            mentee_features = replace_profile(mentee_features, index, prepared)
        incremental = score_matrix(mentor_features, mentee_features, rules)
        rebuilt = score_matrix(mentors, mentees, rules, at=AT)
        np.testing.assert_array_equal(incremental.feasible, rebuilt.feasible)
        _assert_same(incremental.scores, rebuilt.scores)
        for criterion in CRITERIA:
            _assert_same(incremental.criteria[criterion], rebuilt.criteria[criterion])


SYMMETRIC_CRITERIA = ("industry", "function", "timezone", "keywords", "semantic")


@PROPERTY_SETTINGS
@given(people=profile_lists(min_size=2, max_size=2), rules=rule_sets)
def test_symmetric_criteria_do_not_depend_on_who_mentors(
    people: list[MatchableProfile], rules: ProgramRules
) -> None:
    a, b = people
    a_mentors_b = score_matrix([a], [b], rules, at=AT)
    b_mentors_a = score_matrix([b], [a], rules, at=AT)
    for criterion in SYMMETRIC_CRITERIA:
        _assert_same(a_mentors_b.criteria[criterion], b_mentors_a.criteria[criterion])


@PROPERTY_SETTINGS
@given(mentors=profile_lists(), mentees=profile_lists(), rules=rule_sets)
def test_scoring_is_deterministic(
    mentors: list[MatchableProfile], mentees: list[MatchableProfile], rules: ProgramRules
) -> None:
    first = score_matrix(mentors, mentees, rules, at=AT)
    second = score_matrix(list(mentors), list(mentees), rules, at=AT)
    np.testing.assert_array_equal(first.scores, second.scores)
    np.testing.assert_array_equal(first.feasible, second.feasible)
    for m in mentors[:2]:
        for t in mentees[:2]:
            assert explain(m, t, rules, at=AT) == explain(m, t, rules, at=AT)


def test_ranked_mentors_orders_by_score_then_id() -> None:
    strong = mentor(member_id="b-strong", user_id="u-b")
    weak = mentor(member_id="a-weak", user_id="u-a", skills=("SQL",), expertise=())
    twin = mentor(member_id="a-twin", user_id="u-c")
    result = score_matrix([strong, weak, twin], [mentee()], RULES, at=AT)
    ranked = result.ranked_mentors("mentee-1")
    assert [mentor_id for mentor_id, _ in ranked] == ["a-twin", "b-strong", "a-weak"]


def test_features_of_the_wrong_side_are_rejected() -> None:
    mentee_features = build_features([mentee()], "mentee", at=AT)
    with pytest.raises(ValueError):
        score_matrix(mentee_features, [mentee()], RULES, at=AT)


# --------------------------------------------------------------------------- terms


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("K8s", "kubernetes"),
        ("  Kubernetes ", "kubernetes"),
        ("ML", "machine learning"),
        ("Machine-Learning", "machine learning"),
        ("ML engineering", "machine learning engineering"),
        ("JS", "javascript"),
        ("Front-end", "frontend"),
        ("ReactJS", "react"),
        ("PM", "product management"),
    ],
)
def test_terms_are_normalised(raw: str, canonical: str) -> None:
    assert normalize_term(raw) == canonical


def test_languages_and_keywords_are_normalised() -> None:
    assert normalize_language("FR") == normalize_language("Français") == "french"
    assert keyword_tokens(["I want to learn K8s", "C++ and Node.js"]) == {
        "kubernetes",
        "c++",
        "node.js",
    }


def test_profile_text_gathers_the_free_text() -> None:
    text = profile_text(mentor(headline="Platform lead", bio="I run clusters."))
    assert text.startswith("Platform lead I run clusters.")
    assert "Skills: K8s, Python, Go." in text
