"""The reports, computed from per-bucket parts so that a change re-computes one bucket.

A report reads every mentorship (member, request) of a program, and an event changes one
bucket. So each bucket's share of a report (its *part*) is computed on its own, and the
report combines the parts. The part of a time-relative report also says until when it
holds (:func:`insights.domain.health.judged_until` of its mentorships): a report asked a
minute later re-computes only the buckets with a mentorship whose judgement may have
moved. Every combination is free of order (sums, unions, merges by id, exact means), so
any cut of the entries into parts gives the same report byte for byte: the one-part
functions at the end are the reference the tests compare with, and a rebuilt read model
gives what the live one gave.

Privacy: check-in scores only ever appear aggregated over groups of at least
:data:`K_ANONYMITY` people (a smaller group shows ``suppressed: true`` and no numbers),
and so do the breakdowns of ended mentorships.
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from insights.domain.health import (
    FOREVER,
    ProgramState,
    Thresholds,
    iso,
    judge,
    judged_until,
    mentorship_health,
)
from insights.domain.projection import Entries
from insights.domain.rules import HealthRules

K_ANONYMITY = 5
T = TypeVar("T")
Row = dict[str, Any]


@dataclass(frozen=True)
class Timed(Generic[T]):
    """A part and the first moment it may no longer hold (it holds from its ``as_of``)."""

    value: T
    until: int = FOREVER


# --------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class MembersPart:
    total: int
    mentors: int
    mentees: int
    approved: int
    paused: int
    erased: frozenset[str]


def members_part(entries: Entries) -> MembersPart:
    total = mentors = mentees = approved = paused = 0
    erased = []
    for user, m in entries.items():
        if m["x"]:
            erased.append(user)
        if not m["v"] or m["x"]:
            continue
        total += 1
        roles = m["r"]
        if "mentee" in roles:
            mentees += 1
        if "mentor" in roles:
            mentors += 1
            approved += m["a"]
            paused += m["p"]
    return MembersPart(total, mentors, mentees, approved, paused, frozenset(erased))


def pending_applications(entries: Entries) -> int:
    return sum(1 for a in entries.values() if a["s"] == "submitted")


@dataclass(frozen=True)
class RequestsPart:
    answers: Counter[str]
    hours: list[float]


def requests_part(entries: Entries) -> RequestsPart:
    answers: Counter[str] = Counter()
    hours = []
    for r in entries.values():
        if r["at"]:
            answers[r["resp"]] += 1
            if r["first"]:
                hours.append((r["first"] - r["at"]) / 3600)
    return RequestsPart(answers, hours)


@dataclass
class MentorshipsPart:
    """One bucket's mentorships as the health report counts them."""

    made: int = 0
    activity: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    silent: int = 0
    messages: int = 0
    documents: int = 0
    held: int = 0
    upcoming: int = 0
    cancelled: int = 0
    ended: dict[str, tuple[int, set[str]]] = field(default_factory=dict)
    goals: list[list[Any]] = field(default_factory=list)  # not removed
    answers: list[list[Any]] = field(default_factory=list)  # given by as_of


def mentorships_part(entries: Entries, t: Thresholds, as_of: int) -> Timed[MentorshipsPart]:
    part = MentorshipsPart()
    until = FOREVER
    for m in entries.values():
        if not m["made"]:
            continue
        part.made += 1
        until = min(until, judged_until(m, t, as_of, daily=False))
        j = judge(m, t, as_of)
        part.activity[j.activity] += 1
        part.statuses[j.status] += 1
        part.silent += j.silent
        part.messages += m["msgs"]
        part.documents += len(m["docs"])
        for _, _, ends, gone in m["meetings"].values():
            if gone:
                part.cancelled += 1
            elif ends <= as_of:
                part.held += 1
            else:
                part.upcoming += 1
        if m["ended"]:
            count, people = part.ended.get(m["why"], (0, set()))
            part.ended[m["why"]] = (count + 1, people | {m["mentor"], *m["mentees"]})
        part.goals += [g for g in m["goals"].values() if g[1] != "removed"]
        part.answers += [a for a in m["answers"].values() if a[5] <= as_of]
    return Timed(part, until)


def rows_part(
    entries: Entries, t: Thresholds, as_of: int, shown: Callable[[str], str]
) -> Timed[list[Row]]:
    """The mentorships report's rows of one bucket, by match id."""
    rows, until = [], FOREVER
    for match_id, m in sorted(entries.items()):
        if m["made"]:
            rows.append(mentorship_health(match_id, m, t, as_of, shown))
            until = min(until, judged_until(m, t, as_of, daily=True))
    return Timed(rows, until)


def goal_rows_part(entries: Entries) -> list[Row]:
    """Goal completion per mentorship of one bucket, by match id (counts only)."""
    rows: list[Row] = []
    for match_id, m in sorted(entries.items()):
        goals = [g for g in m["goals"].values() if g[1] != "removed"] if m["made"] else []
        if goals:
            rows.append(
                {
                    "match_id": match_id,
                    "goals": len(goals),
                    "completed": sum(1 for g in goals if g[1] == "completed"),
                    "mean_progress_percent": round(statistics.fmean(g[2] for g in goals), 1),
                }
            )
    return rows


Answered = tuple[str, list[Any]]  # (match id, answer)


def answers_part(entries: Entries, as_of: int) -> Timed[list[Answered]]:
    """The check-in answers of one bucket's mentorships given by ``as_of``."""
    out: list[Answered] = []
    until = FOREVER
    for match_id, m in entries.items():
        if not m["made"]:
            continue
        for a in m["answers"].values():
            if a[5] <= as_of:
                out.append((match_id, a))
            else:
                until = min(until, a[5])
    return Timed(out, until)


# --------------------------------------------------------------------------- reports


def _percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile (a value that occurred, not an interpolation)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 2)


def _k_rows(rows: dict[str, tuple[int, set[str]]], label: str) -> list[Row]:
    """Breakdown rows of (count, people); a row of fewer than K people is suppressed."""
    out = []
    for name, (count, people) in sorted(rows.items()):
        if len(people) < K_ANONYMITY:
            out.append({label: name, "suppressed": True})
        else:
            out.append({label: name, "mentorships": count, "people": len(people)})
    return out


def _score_group(answers: Sequence[list[Any]]) -> dict[str, Any]:
    people = {a[2] for a in answers}
    if len(people) < K_ANONYMITY:
        return {"suppressed": True}
    scores = [a[3] for a in answers]
    return {
        "answers": len(answers),
        "respondents": len(people),
        "mean_score": round(statistics.fmean(scores), 2),
        "distribution": {str(s): scores.count(s) for s in range(1, 6)},
    }


def erased_of(members: Iterable[MembersPart]) -> frozenset[str]:
    return frozenset().union(*(p.erased for p in members))


def health_report(
    program_id: str,
    config: dict[str, Any] | None,
    rules: HealthRules,
    as_of: int,
    *,
    members: Sequence[MembersPart],
    pending: int,
    requests: Sequence[RequestsPart],
    mentorships: Sequence[MentorshipsPart],
) -> dict[str, Any]:
    answers: Counter[str] = sum((p.answers for p in requests), Counter())
    hours = [h for p in requests for h in p.hours]
    activity: Counter[str] = sum((p.activity for p in mentorships), Counter())
    statuses: Counter[str] = sum((p.statuses for p in mentorships), Counter())
    ended: dict[str, tuple[int, set[str]]] = {}
    for p in mentorships:
        for why, (count, people) in p.ended.items():
            held, seen = ended.get(why, (0, set()))
            ended[why] = (held + count, seen | people)
    goals = [g for p in mentorships for g in p.goals]
    today = datetime.fromtimestamp(as_of, UTC).date().isoformat()
    completed = sum(1 for g in goals if g[1] == "completed")
    return {
        "program_id": program_id,
        "program_name": (config or {}).get("name"),
        "as_of": iso(as_of),
        "rules": rules.model_dump(),
        "members": {
            "total": sum(p.total for p in members),
            "mentors": sum(p.mentors for p in members),
            "mentees": sum(p.mentees for p in members),
            "mentors_approved": sum(p.approved for p in members),
            "mentors_paused": sum(p.paused for p in members),
            "mentor_applications_pending": pending,
        },
        "requests": {
            "total": sum(answers.values()),
            "accepted": answers["accepted"],
            "declined": answers["declined"],
            "info_requested": answers["info_requested"],
            "unanswered": answers[""],
            "response_hours_median": _percentile(hours, 0.5),
            "response_hours_p90": _percentile(hours, 0.9),
        },
        "mentorships": {
            "made": sum(p.made for p in mentorships),
            "active": activity["active"],
            "quiet": activity["quiet"],
            "inactive": activity["inactive"],
            "ended": activity["ended"],
            "on_track": statuses["on_track"],
            "needs_check_in": statuses["needs_check_in"],
            "mentor_silent": sum(p.silent for p in mentorships),
            "ended_by_reason": _k_rows(ended, "reason"),
        },
        "activity": {
            "messages": sum(p.messages for p in mentorships),
            "meetings_held": sum(p.held for p in mentorships),
            "meetings_upcoming": sum(p.upcoming for p in mentorships),
            "meetings_cancelled": sum(p.cancelled for p in mentorships),
            "documents_shared": sum(p.documents for p in mentorships),
        },
        "goals": {
            "total": len(goals),
            "completed": completed,
            "overdue": sum(1 for g in goals if g[1] != "completed" and g[3] and g[3] < today),
            "completion_rate": round(completed / len(goals), 3) if goals else None,
            "mean_progress_percent": round(statistics.fmean(g[2] for g in goals), 1)
            if goals
            else None,
        },
        "check_ins": _score_group([a for p in mentorships for a in p.answers]),
    }


def mentorships_report(parts: Iterable[list[Row]]) -> list[Row]:
    """Every bucket's rows, by match id (ids never repeat across buckets)."""
    return list(heapq.merge(*parts, key=lambda row: row["match_id"]))


def goals_report(program_id: str, as_of: int, parts: Iterable[list[Row]]) -> dict[str, Any]:
    rows = list(heapq.merge(*parts, key=lambda row: row["match_id"]))
    total = sum(r["goals"] for r in rows)
    done = sum(r["completed"] for r in rows)
    return {
        "program_id": program_id,
        "as_of": iso(as_of),
        "goals": total,
        "completed": done,
        "completion_rate": round(done / total, 3) if total else None,
        "mentorships": rows,
    }


def check_in_report(program_id: str, as_of: int, parts: Iterable[list[Answered]]) -> dict[str, Any]:
    """Scores over time (by month answered), by round and by role; k-anonymous."""
    answers = [a for part in parts for _, a in part]
    by: dict[str, dict[str, list[list[Any]]]] = {"month": {}, "round": {}, "role": {}}
    for a in answers:
        by["month"].setdefault(datetime.fromtimestamp(a[5], UTC).strftime("%Y-%m"), []).append(a)
        by["round"].setdefault(a[0], []).append(a)
        by["role"].setdefault(a[1], []).append(a)
    return {
        "program_id": program_id,
        "as_of": iso(as_of),
        "k_anonymity": K_ANONYMITY,
        "overall": _score_group(answers),
        "by_month": [{"month": k, **_score_group(v)} for k, v in sorted(by["month"].items())],
        "by_round": [{"round": k, **_score_group(v)} for k, v in sorted(by["round"].items())],
        "by_role": [{"role": k, **_score_group(v)} for k, v in sorted(by["role"].items())],
    }


def comment_groups(parts: Iterable[list[Answered]]) -> dict[str, list[tuple[str, str]]]:
    """Per round answered by at least K people, the (match id, respondent) of each answer
    with a comment (the comments themselves live with the answers in insights' store)."""
    people: dict[str, set[str]] = defaultdict(set)
    with_comment: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for part in parts:
        for match_id, a in part:
            people[a[0]].add(a[2])
            if a[6]:
                with_comment[a[0]].append((match_id, a[2]))
    return {
        name: sorted(with_comment[name])
        for name, who in sorted(people.items())
        if len(who) >= K_ANONYMITY
    }


# --------------------------------------------------------------------------- one part each


def state_health_report(state: ProgramState, rules: HealthRules, as_of: int) -> dict[str, Any]:
    """The health report of a whole program's entries as one part (the reference)."""
    t = Thresholds.of(rules)
    return health_report(
        state.program_id,
        state.config,
        rules,
        as_of,
        members=[members_part(state.members)],
        pending=pending_applications(state.applications),
        requests=[requests_part(state.requests)],
        mentorships=[mentorships_part(state.mentorships, t, as_of).value],
    )


def state_mentorships_report(state: ProgramState, rules: HealthRules, as_of: int) -> list[Row]:
    t = Thresholds.of(rules)
    return rows_part(state.mentorships, t, as_of, state.shown).value


def state_goals_report(state: ProgramState, as_of: int) -> dict[str, Any]:
    return goals_report(state.program_id, as_of, [goal_rows_part(state.mentorships)])


def state_check_in_report(state: ProgramState, as_of: int) -> dict[str, Any]:
    return check_in_report(state.program_id, as_of, [answers_part(state.mentorships, as_of).value])
