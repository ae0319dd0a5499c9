"""Why a mentee was left out of a round, in words an admin can act on.

From the round's canonical arrays and, when the scorer recorded them, the per-rule
violations: full mentors, vetoes, or the one rule that blocks every mentor with room.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matching.domain.bulk_problem import CanonicalRound, ReasonCode, UnmatchedMentee
from matching.domain.explanations import CONSTRAINT_MESSAGES
from matching.domain.pair_rules import CONSTRAINTS, MENTOR_AVAILABILITY_CONSTRAINTS

# "no feasible mentor: <why>" when one pair rule blocks every mentor with free capacity.
_BLOCKED_BY_RULE: Mapping[str, str] = {
    "same_person": "the only mentor with free capacity is the mentee themself",
    "organization_rule": "the organization rule excludes every mentor with free capacity",
    "no_shared_language": "no shared language with any mentor with free capacity",
    "timezone_too_far": "too many hours apart from every mentor with free capacity",
    "experience_gap_out_of_range": (
        "experience gap out of the program's range with every mentor with free capacity"
    ),
}
_CAPACITY_CONSTRAINTS = frozenset({"mentor_full", "mentor_not_accepting"})


def why_unmatched(round_: CanonicalRound, mentee: int) -> UnmatchedMentee:
    mentee_id = round_.mentee_ids[mentee]
    feasible = round_.feasible[:, mentee]
    usable = feasible & ~round_.forbidden[:, mentee]
    if usable.any():
        slots = int(round_.capacities[usable].sum())
        if slots == 0:
            text = f"all feasible mentors full ({int(usable.sum())} feasible, no free slot)"
        else:
            text = (
                f"all feasible mentors full: the {slots} free slots of its "
                f"{int(usable.sum())} feasible mentors went to other mentees"
            )
        return UnmatchedMentee(mentee_id, "feasible_mentors_full", text)
    if feasible.any():
        return UnmatchedMentee(
            mentee_id,
            "only_forbidden_mentors",
            "no feasible mentor: every feasible mentor is forbidden for this mentee",
        )
    return UnmatchedMentee(mentee_id, *_describe_infeasibility(round_, mentee))


def _describe_infeasibility(round_: CanonicalRound, mentee: int) -> tuple[ReasonCode, str]:
    """Why no mentor is feasible, from the per-rule violations the scorer recorded."""
    violations = round_.problem.violations
    if violations is None:
        return "no_feasible_mentor", "no feasible mentor"
    if len(round_.mentor_ids) == 0:
        return "no_feasible_mentor", "no feasible mentor: the round has no mentors"
    column = round_.mentee_order[mentee]
    rows = round_.mentor_order

    def violated(code: str) -> np.ndarray:
        return (
            np.asarray(violations[code])[rows, column]
            if code in violations
            else np.zeros(len(rows), dtype=bool)
        )

    if violated("not_a_mentee").all() and len(rows):
        return "no_feasible_mentor", "no feasible mentor: " + CONSTRAINT_MESSAGES["not_a_mentee"]
    pair_rules = [c for c in CONSTRAINTS if c not in MENTOR_AVAILABILITY_CONSTRAINTS]
    pair_blocked = np.zeros(len(rows), dtype=bool)
    for code in pair_rules:
        pair_blocked |= violated(code)
    other_availability = sorted(MENTOR_AVAILABILITY_CONSTRAINTS - _CAPACITY_CONSTRAINTS)
    unavailable = np.zeros(len(rows), dtype=bool)
    for code in other_availability:
        unavailable |= violated(code)
    # Mentors who would fit this mentee if only they had room.
    if (~pair_blocked & ~unavailable).any():
        return "feasible_mentors_full", "all feasible mentors full"
    with_room = ~unavailable & (round_.capacities > 0)
    for capacity_code in sorted(_CAPACITY_CONSTRAINTS):
        with_room &= ~violated(capacity_code)
    if not with_room.any():
        return "no_feasible_mentor", "no feasible mentor: no available mentor has free capacity"
    for code in pair_rules:
        if code in _BLOCKED_BY_RULE and violated(code)[with_room].all():
            return "no_feasible_mentor", f"no feasible mentor: {_BLOCKED_BY_RULE[code]}"
    counts = {code: int(violated(code)[with_room].sum()) for code in pair_rules}
    commonest = max(pair_rules, key=lambda code: (counts[code], -pair_rules.index(code)))
    return "no_feasible_mentor", (
        "no feasible mentor: every mentor with free capacity breaks a rule "
        f"(most often: {CONSTRAINT_MESSAGES[commonest]}, {counts[commonest]} of "
        f"{int(with_room.sum())})"
    )
