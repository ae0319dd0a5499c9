"""Bulk matching: optimal, within every rule, deterministic, and clear about who is left out."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain.bulk import (
    BulkMatchingError,
    BulkProblem,
    BulkResult,
    greedy_assignment,
    solve_bulk_round,
)
from matching.domain.matchable import MatchableProfile
from matching.domain.rules import ProgramRules
from matching.domain.vectorised import score_matrix

AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@st.composite
def problems(draw: st.DrawFn, max_mentors: int = 6, max_mentees: int = 9) -> BulkProblem:
    n_mentors = draw(st.integers(1, max_mentors))
    n_mentees = draw(st.integers(1, max_mentees))
    # Coarse scores on purpose: many ties exercise the tie-breaking.
    score_values = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0]), st.floats(0, 1))
    scores = np.array(
        draw(st.lists(score_values, min_size=n_mentors * n_mentees, max_size=n_mentors * n_mentees))
    ).reshape(n_mentors, n_mentees)
    feasible = np.array(
        draw(st.lists(st.booleans(), min_size=scores.size, max_size=scores.size)), dtype=bool
    ).reshape(scores.shape)
    capacities = draw(st.lists(st.integers(0, 3), min_size=n_mentors, max_size=n_mentors))
    mentor_ids = [f"mentor-{i}" for i in range(n_mentors)]
    mentee_ids = [f"mentee-{j}" for j in range(n_mentees)]
    cells = [(i, j) for i in range(n_mentors) for j in range(n_mentees)]
    forbidden = {
        (mentor_ids[i], mentee_ids[j])
        for i, j in draw(st.lists(st.sampled_from(cells), max_size=4))
    }
    pinned: set[tuple[str, str]] = set()
    pins_left = list(capacities)
    pinned_mentees: set[int] = set()
    for i, j in draw(st.lists(st.sampled_from(cells), max_size=3)):
        pair = (mentor_ids[i], mentee_ids[j])
        if (
            feasible[i, j]
            and pair not in forbidden
            and pins_left[i] > 0
            and j not in pinned_mentees
        ):
            pinned.add(pair)
            pins_left[i] -= 1
            pinned_mentees.add(j)
    order_m = draw(st.permutations(range(n_mentors)))
    order_t = draw(st.permutations(range(n_mentees)))
    return BulkProblem(
        mentor_ids=tuple(mentor_ids[i] for i in order_m),
        capacities=tuple(capacities[i] for i in order_m),
        mentee_ids=tuple(mentee_ids[j] for j in order_t),
        scores=scores[np.ix_(order_m, order_t)],
        feasible=feasible[np.ix_(order_m, order_t)],
        pinned=frozenset(pinned),
        forbidden=frozenset(forbidden),
    )


def _check_valid(problem: BulkProblem, result: BulkResult) -> None:
    mentor_index = {m: i for i, m in enumerate(problem.mentor_ids)}
    mentee_index = {t: j for j, t in enumerate(problem.mentee_ids)}
    matched_mentees = [m.mentee_id for m in result.matches]
    assert len(matched_mentees) == len(set(matched_mentees)), "a mentee matched twice"
    for mentor_id, load in result.mentor_loads().items():
        assert load <= problem.capacities[mentor_index[mentor_id]], "capacity exceeded"
    for match in result.matches:
        i, j = mentor_index[match.mentor_id], mentee_index[match.mentee_id]
        assert problem.feasible[i, j], "infeasible pair used"
        assert (match.mentor_id, match.mentee_id) not in problem.forbidden, "forbidden pair used"
        assert match.score == problem.scores[i, j]
        assert match.pinned == ((match.mentor_id, match.mentee_id) in problem.pinned)
    assert problem.pinned <= result.pairs(), "a pinned pair is missing"
    unmatched = {u.mentee_id for u in result.unmatched}
    assert unmatched.isdisjoint(matched_mentees)
    assert unmatched | set(matched_mentees) == set(problem.mentee_ids)
    assert result.total_score == pytest.approx(sum(m.score for m in result.matches), abs=1e-12)


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(problem=problems(), candidate_limit=st.integers(1, 3))
def test_optimal_assignment_respects_every_rule_and_beats_greedy(
    problem: BulkProblem, candidate_limit: int
) -> None:
    greedy = greedy_assignment(problem)
    dense = solve_bulk_round(problem, method="dense")
    sparse = solve_bulk_round(problem, method="sparse", candidate_limit=candidate_limit)
    for result in (greedy, dense, sparse):
        _check_valid(problem, result)
    assert dense.optimal and sparse.optimal and not greedy.optimal
    assert dense.total_score >= greedy.total_score - 1e-9
    assert sparse.total_score == pytest.approx(dense.total_score, abs=1e-9)


@PROPERTY_SETTINGS
@given(problem=problems(max_mentors=3, max_mentees=4))
def test_optimal_assignment_equals_brute_force(problem: BulkProblem) -> None:
    mentor_index = {m: i for i, m in enumerate(problem.mentor_ids)}
    pinned_by_mentee = {t: m for m, t in problem.pinned}
    options = []
    for j, mentee_id in enumerate(problem.mentee_ids):
        if mentee_id in pinned_by_mentee:
            options.append([mentor_index[pinned_by_mentee[mentee_id]]])
            continue
        options.append(
            [-1]
            + [
                i
                for i, mentor_id in enumerate(problem.mentor_ids)
                if problem.feasible[i, j] and (mentor_id, mentee_id) not in problem.forbidden
            ]
        )
    best = 0.0
    for choice in itertools.product(*options):
        loads = np.bincount([i for i in choice if i >= 0], minlength=len(problem.mentor_ids))
        if np.all(loads <= np.array(problem.capacities)):
            best = max(best, sum(problem.scores[i, j] for j, i in enumerate(choice) if i >= 0))
    assert solve_bulk_round(problem).total_score == pytest.approx(best, abs=1e-9)


@PROPERTY_SETTINGS
@given(problem=problems(), seed=st.integers(0, 2**16))
def test_same_inputs_in_any_order_give_the_same_result(problem: BulkProblem, seed: int) -> None:
    rng = np.random.default_rng(seed)
    order_m = rng.permutation(len(problem.mentor_ids))
    order_t = rng.permutation(len(problem.mentee_ids))
    shuffled = replace(
        problem,
        mentor_ids=tuple(problem.mentor_ids[i] for i in order_m),
        capacities=tuple(problem.capacities[i] for i in order_m),
        mentee_ids=tuple(problem.mentee_ids[j] for j in order_t),
        scores=problem.scores[np.ix_(order_m, order_t)],
        feasible=problem.feasible[np.ix_(order_m, order_t)],
    )
    for method in ("dense", "sparse"):
        first = solve_bulk_round(problem, method=method, candidate_limit=2)
        assert solve_bulk_round(problem, method=method, candidate_limit=2) == first
        assert solve_bulk_round(shuffled, method=method, candidate_limit=2) == first
    assert greedy_assignment(shuffled) == greedy_assignment(problem)


def test_optimum_differs_from_greedy_when_greedy_blocks_a_better_pair() -> None:
    # Greedy takes (a, x)=0.9 and leaves y without a mentor; the optimum gives x to b.
    problem = BulkProblem(
        mentor_ids=("a", "b"),
        capacities=(1, 1),
        mentee_ids=("x", "y"),
        scores=np.array([[0.9, 0.8], [0.7, 0.0]]),
        feasible=np.array([[True, True], [True, False]]),
    )
    assert greedy_assignment(problem).total_score == pytest.approx(0.9)
    optimal = solve_bulk_round(problem)
    assert optimal.pairs() == {("a", "y"), ("b", "x")}
    assert optimal.total_score == pytest.approx(1.5)


# --------------------------------------------------------------------------- pins and errors


def _two_by_two(**changes: object) -> BulkProblem:
    base = BulkProblem(
        mentor_ids=("a", "b"),
        capacities=(1, 1),
        mentee_ids=("x", "y"),
        scores=np.array([[0.9, 0.1], [0.2, 0.8]]),
        feasible=np.array([[True, True], [True, False]]),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_pinned_pair_wins_over_a_better_total() -> None:
    result = solve_bulk_round(_two_by_two(pinned=frozenset({("a", "y")})))
    assert ("a", "y") in result.pairs()
    assert next(m for m in result.matches if m.mentee_id == "y").pinned


def test_forbidden_pair_is_never_used() -> None:
    result = solve_bulk_round(_two_by_two(forbidden=frozenset({("a", "x")})))
    assert ("a", "x") not in result.pairs()


@pytest.mark.parametrize(
    "changes",
    [
        {"pinned": frozenset({("b", "y")})},  # infeasible
        {"pinned": frozenset({("a", "x")}), "forbidden": frozenset({("a", "x")})},
        {"pinned": frozenset({("a", "x"), ("b", "x")})},  # mentee pinned twice
        {"pinned": frozenset({("a", "x"), ("a", "y")})},  # over capacity
        {"pinned": frozenset({("zed", "x")})},  # unknown mentor
    ],
)
def test_impossible_pins_are_rejected(changes: dict) -> None:
    with pytest.raises(BulkMatchingError):
        solve_bulk_round(_two_by_two(**changes))


def test_malformed_problems_are_rejected() -> None:
    with pytest.raises(BulkMatchingError):
        _two_by_two(capacities=(1,))
    with pytest.raises(BulkMatchingError):
        _two_by_two(scores=np.array([[0.9, np.nan], [0.2, 0.8]]))
    with pytest.raises(BulkMatchingError):
        _two_by_two(mentor_ids=("a", "a"))


# --------------------------------------------------------------------------- reasons


def _profile(member_id: str, role: str, **fields: object) -> MatchableProfile:
    defaults: dict[str, object] = {
        "user_id": f"user-{member_id}",
        "organization_id": "org",
        "roles": frozenset({role}),
        "mentor_approved": role == "mentor",
        "timezone": "Europe/Paris",
        "languages": ("English",),
        "skills": ("Python",),
        "capacity": 1 if role == "mentor" else 0,
    }
    defaults.update(fields)
    return MatchableProfile(member_id=member_id, **defaults)  # type: ignore[arg-type]


def _round(mentors: list[MatchableProfile], mentees: list[MatchableProfile]) -> BulkResult:
    scores = score_matrix(mentors, mentees, ProgramRules(), at=AT)
    capacities = {m.member_id: m.free_slots for m in mentors}
    return solve_bulk_round(BulkProblem.from_scores(scores, capacities))


def test_unmatched_mentee_without_a_shared_language_is_told_so() -> None:
    result = _round(
        [_profile("m1", "mentor"), _profile("m2", "mentor", languages=("Spanish",))],
        [_profile("t1", "mentee", languages=("French",))],
    )
    (unmatched,) = result.unmatched
    assert unmatched.reason_code == "no_feasible_mentor"
    assert unmatched.reason == (
        "no feasible mentor: no shared language with any mentor with free capacity"
    )


def test_unmatched_mentee_whose_mentors_are_full_is_told_so() -> None:
    result = _round([_profile("m1", "mentor", active_mentee_count=1)], [_profile("t1", "mentee")])
    (unmatched,) = result.unmatched
    assert unmatched.reason_code == "feasible_mentors_full"
    assert unmatched.reason == "all feasible mentors full"


def test_mentee_who_loses_the_last_slot_is_told_the_mentors_are_full() -> None:
    result = _round(
        [_profile("m1", "mentor")],
        [_profile("t1", "mentee"), _profile("t2", "mentee", skills=("Cobol",))],
    )
    assert result.pairs() == {("m1", "t1")}
    (unmatched,) = result.unmatched
    assert unmatched.mentee_id == "t2"
    assert unmatched.reason_code == "feasible_mentors_full"
    assert unmatched.reason.startswith("all feasible mentors full")


def test_mentee_whose_only_mentor_is_forbidden_is_told_so() -> None:
    scores = score_matrix(
        [_profile("m1", "mentor")], [_profile("t1", "mentee")], ProgramRules(), at=AT
    )
    result = solve_bulk_round(
        BulkProblem.from_scores(scores, [1], forbidden=frozenset({("m1", "t1")}))
    )
    assert result.unmatched[0].reason_code == "only_forbidden_mentors"


def test_sparse_and_dense_agree_on_a_realistic_round() -> None:
    rng = np.random.default_rng(7)
    n_mentors, n_mentees = 40, 150
    problem = BulkProblem(
        mentor_ids=tuple(f"m{i:03d}" for i in range(n_mentors)),
        capacities=tuple(int(c) for c in rng.integers(1, 4, size=n_mentors)),
        mentee_ids=tuple(f"t{j:03d}" for j in range(n_mentees)),
        scores=rng.random((n_mentors, n_mentees)),
        feasible=rng.random((n_mentors, n_mentees)) < 0.4,
    )
    dense = solve_bulk_round(problem, method="dense")
    sparse = solve_bulk_round(problem, method="sparse", candidate_limit=3)
    assert sparse.total_score == pytest.approx(dense.total_score, abs=1e-9)
    assert dense.total_score > greedy_assignment(problem).total_score


def test_certificate_rejects_a_suboptimal_matching() -> None:
    from matching.domain.bulk_solvers import NegativeCycleError, residual_potentials

    # The greedy-trap round: (a, x) + nothing for y is worse than (a, y) + (b, x).
    gain = np.array([[0.9, 0.8], [0.7, 0.0]])
    every_pair = np.array([[True, True], [True, False]])
    capacity = np.array([1, 1])
    greedy_choice = np.array([0, -1])  # mentee x -> mentor a, mentee y unmatched
    with pytest.raises(NegativeCycleError):
        residual_potentials(gain, every_pair, capacity, greedy_choice)

    # Optimal only among (a, x) and (b, x): the certificate points at the excluded (a, y).
    restricted = np.array([[True, False], [True, False]])
    mentor_pi, mentee_pi = residual_potentials(gain, restricted, capacity, greedy_choice)
    reduced = -gain + mentee_pi[None, :] - mentor_pi[:, None]
    assert reduced[0, 1] < 0
