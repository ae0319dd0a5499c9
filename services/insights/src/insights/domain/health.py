"""Program health: the reports admins read, computed from the folded read model.

Pure functions of the buckets' entries, the program's rules and a moment ``as_of``
(everything time-relative, such as "quiet for 20 days", is relative to it), so the same
read model gives the same report byte for byte, which is what the rebuild test compares.

Privacy: check-in scores only ever appear aggregated over groups of at least
:data:`K_ANONYMITY` people (a smaller group shows ``suppressed: true`` and no numbers),
and so do the breakdowns of ended mentorships. No report holds message or document
content: the read model never had any.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from insights.domain.projection import Entries
from insights.domain.rules import DAY, HealthRules
from insights.domain.schedule import MAX_ROUNDS

K_ANONYMITY = 5
ERASED = "erased"


def iso(moment: int) -> str | None:
    return datetime.fromtimestamp(moment, UTC).isoformat() if moment else None


def _days(seconds: int) -> int:
    return max(0, seconds) // DAY


@dataclass(frozen=True)
class ProgramState:
    """The read model of one program: each kind's entries, merged from its buckets."""

    program_id: str
    config: dict[str, Any] | None
    members: Entries
    applications: Entries
    requests: Entries
    mentorships: Entries

    @cached_property
    def erased(self) -> frozenset[str]:
        """Users erased from the program: reports show them as ``erased``. (Their ids stay
        in the folded ``match-made`` facts, which the topics keep; hiding them at read
        time holds for a rebuilt read model too.)"""
        return frozenset(user for user, m in self.members.items() if m["x"])

    def shown(self, user_id: str) -> str:
        return ERASED if user_id in self.erased else user_id

    def matches(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """Mentorships whose match-made arrived (activity may precede it in a replay), by id."""
        return ((k, m) for k, m in sorted(self.mentorships.items()) if m["made"])

    @cached_property
    def made(self) -> list[dict[str, Any]]:
        """The same, in no particular order (for counts)."""
        return [m for m in self.mentorships.values() if m["made"]]


# --------------------------------------------------------------------------- one mentorship


@dataclass(frozen=True)
class Thresholds:
    """A program's rules in seconds, read once per report (the loops below run per
    mentorship of a program with thousands)."""

    quiet_days: int
    inactive_days: int
    first_days: int
    every_days: int
    grace: int

    @classmethod
    def of(cls, rules: HealthRules) -> Thresholds:
        return cls(
            rules.quiet_after_days,
            rules.inactive_after_days,
            rules.first_check_in_days,
            rules.check_in_every_days,
            rules.check_in_grace_days * DAY,
        )


def last_activity(m: dict[str, Any], as_of: int) -> int:
    """The latest message or held meeting (or the match itself), up to ``as_of``."""
    last = m["made"]
    for _, sent in m["senders"].values():
        if last < sent <= as_of:
            last = sent
    for _, _, ends, cancelled in m["meetings"].values():
        if not cancelled and last < ends <= as_of:
            last = ends
    return last


def mentor_silent(m: dict[str, Any], quiet_days: int, as_of: int) -> bool:
    """The mentee wrote, and the mentor has not written for ``quiet_days``."""
    senders = m["senders"]
    mentor_last = senders[m["mentor"]][1] if m["mentor"] in senders else 0
    mentee_last = max((senders[u][1] for u in m["mentees"] if u in senders), default=0)
    since = max(mentor_last, m["made"])
    return mentee_last > mentor_last and as_of - since >= quiet_days * DAY


def first_overdue(m: dict[str, Any], t: Thresholds, as_of: int) -> tuple[str, int, int] | None:
    """The first round due (past the grace days) that not everyone answered:
    (round, due at, how many did not answer). The rounds are those of
    :func:`insights.domain.schedule.rounds` for a mentorship that goes on."""
    limit = as_of - t.grace
    days = t.first_days
    due = m["made"] + days * DAY
    if m["ended"] or due > limit:
        return None
    answered: dict[str, set[str]] = {}
    for a in m["answers"].values():
        answered.setdefault(a[0], set()).add(a[2])
    people = 1 + len(m["mentees"])
    for _ in range(MAX_ROUNDS):
        if due > limit:
            return None
        name = f"day_{days}"
        done = len(answered.get(name, ()))
        if done < people:
            return name, due, people - done
        days += t.every_days
        due += t.every_days * DAY
    return None


@dataclass(frozen=True)
class Judgement:
    activity: str  # active | quiet | inactive | ended
    status: str  # on_track | needs_check_in | inactive | ended
    quiet_days: int
    last: int
    silent: bool
    overdue: tuple[str, int, int] | None


def judge(m: dict[str, Any], t: Thresholds, as_of: int) -> Judgement:
    """The health of one mentorship at ``as_of``, by the first rule that applies: ended;
    inactive (no message or meeting for the inactive days); a check-in overdue; quiet;
    on track."""
    last = last_activity(m, as_of)
    quiet = max(0, as_of - last) // DAY
    if m["ended"]:
        return Judgement("ended", "ended", quiet, last, False, None)
    silent = mentor_silent(m, t.quiet_days, as_of)
    if quiet >= t.inactive_days:
        return Judgement("inactive", "inactive", quiet, last, silent, None)
    activity = "quiet" if quiet >= t.quiet_days else "active"
    overdue = first_overdue(m, t, as_of)
    status = "needs_check_in" if overdue or activity == "quiet" else "on_track"
    return Judgement(activity, status, quiet, last, silent, overdue)


def _rule(m: dict[str, Any], j: Judgement, t: Thresholds) -> str:
    if j.status == "ended":
        return f"ended on {iso(m['ended'])} ({m['why']}, by {m['by']})"
    if j.status == "inactive":
        return f"no message or meeting for {j.quiet_days} days (inactive after {t.inactive_days})"
    if j.overdue:
        name, due, missing = j.overdue
        return (
            f"check-in {name} due since {iso(due)}, "
            f"{missing} of {1 + len(m['mentees'])} not answered"
        )
    if j.activity == "quiet":
        return f"quiet for {j.quiet_days} days (quiet after {t.quiet_days})"
    return f"last message or meeting {j.quiet_days} days ago (quiet after {t.quiet_days})"


def mentorship_health(
    match_id: str,
    m: dict[str, Any],
    rules: HealthRules | Thresholds,
    as_of: int,
    shown: Callable[[str], str] = str,
) -> dict[str, Any]:
    """One row of the mentorships report: status, the rule that set it, and the counts.
    ``shown`` maps a user id to what the report shows (``erased`` for an erased member)."""
    t = rules if isinstance(rules, Thresholds) else Thresholds.of(rules)
    j = judge(m, t, as_of)
    goals = [g for g in m["goals"].values() if g[1] != "removed"]
    return {
        "match_id": match_id,
        "mode": m["mode"],
        "mentor_user_id": shown(m["mentor"]),
        "mentee_user_ids": [shown(u) for u in m["mentees"]],
        "matched_at": iso(m["made"]),
        "ended_at": iso(m["ended"]),
        "end_reason": m["why"] or None,
        "activity": j.activity,
        "status": j.status,
        "rule": _rule(m, j, t),
        "mentor_silent": j.silent,
        "quiet_days": j.quiet_days,
        "last_activity_at": iso(j.last),
        "messages": m["msgs"],
        "meetings_held": sum(1 for _, _, e, c in m["meetings"].values() if not c and e <= as_of),
        "documents_shared": len(m["docs"]),
        "goals": len(goals),
        "goals_completed": sum(1 for g in goals if g[1] == "completed"),
        "check_ins_answered": len(m["answers"]),
    }


def mentorships_report(state: ProgramState, rules: HealthRules, as_of: int) -> list[dict[str, Any]]:
    t = Thresholds.of(rules)
    return [mentorship_health(k, m, t, as_of, state.shown) for k, m in state.matches()]


# --------------------------------------------------------------------------- program health


def _percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile (a value that occurred, not an interpolation)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 2)


def _k_rows(rows: dict[str, tuple[int, set[str]]], label: str) -> list[dict[str, Any]]:
    """Breakdown rows of (count, people); a row of fewer than K people is suppressed."""
    out = []
    for name, (count, people) in sorted(rows.items()):
        if len(people) < K_ANONYMITY:
            out.append({label: name, "suppressed": True})
        else:
            out.append({label: name, "mentorships": count, "people": len(people)})
    return out


def _members_section(state: ProgramState) -> dict[str, int]:
    """One pass over the members (a program has thousands)."""
    total = mentors = mentees = approved = paused = 0
    for m in state.members.values():
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
    pending = sum(1 for a in state.applications.values() if a["s"] == "submitted")
    return {
        "total": total,
        "mentors": mentors,
        "mentees": mentees,
        "mentors_approved": approved,
        "mentors_paused": paused,
        "mentor_applications_pending": pending,
    }


def _requests_section(state: ProgramState) -> dict[str, Any]:
    answers: Counter[str] = Counter()
    hours = []
    for r in state.requests.values():
        if r["at"]:
            answers[r["resp"]] += 1
            if r["first"]:
                hours.append((r["first"] - r["at"]) / 3600)
    return {
        "total": sum(answers.values()),
        "accepted": answers["accepted"],
        "declined": answers["declined"],
        "info_requested": answers["info_requested"],
        "unanswered": answers[""],
        "response_hours_median": _percentile(hours, 0.5),
        "response_hours_p90": _percentile(hours, 0.9),
    }


def health_report(state: ProgramState, rules: HealthRules, as_of: int) -> dict[str, Any]:
    matches = state.made
    t = Thresholds.of(rules)
    activity: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    silent = messages = documents = held = upcoming = cancelled = 0
    ended: dict[str, tuple[int, set[str]]] = {}
    goals = []
    for m in matches:
        j = judge(m, t, as_of)
        activity[j.activity] += 1
        statuses[j.status] += 1
        silent += j.silent
        messages += m["msgs"]
        documents += len(m["docs"])
        for _, _, ends, gone in m["meetings"].values():
            if gone:
                cancelled += 1
            elif ends <= as_of:
                held += 1
            else:
                upcoming += 1
        if m["ended"]:
            count, people = ended.get(m["why"], (0, set()))
            ended[m["why"]] = (count + 1, people | {m["mentor"], *m["mentees"]})
        goals += [g for g in m["goals"].values() if g[1] != "removed"]
    today = datetime.fromtimestamp(as_of, UTC).date().isoformat()
    completed = sum(1 for g in goals if g[1] == "completed")
    config = state.config or {}
    return {
        "program_id": state.program_id,
        "program_name": config.get("name"),
        "as_of": iso(as_of),
        "rules": rules.model_dump(),
        "members": _members_section(state),
        "requests": _requests_section(state),
        "mentorships": {
            "made": len(matches),
            "active": activity["active"],
            "quiet": activity["quiet"],
            "inactive": activity["inactive"],
            "ended": activity["ended"],
            "on_track": statuses["on_track"],
            "needs_check_in": statuses["needs_check_in"],
            "mentor_silent": silent,
            "ended_by_reason": _k_rows(ended, "reason"),
        },
        "activity": {
            "messages": messages,
            "meetings_held": held,
            "meetings_upcoming": upcoming,
            "meetings_cancelled": cancelled,
            "documents_shared": documents,
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
        "check_ins": check_in_summary(state, as_of),
    }


# --------------------------------------------------------------------------- check-ins


def _answers(state: ProgramState, as_of: int) -> list[list[Any]]:
    return [a for m in state.made for a in m["answers"].values() if a[5] <= as_of]


def _score_group(answers: list[list[Any]]) -> dict[str, Any]:
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


def check_in_summary(state: ProgramState, as_of: int) -> dict[str, Any]:
    return _score_group(_answers(state, as_of))


def check_in_report(state: ProgramState, as_of: int) -> dict[str, Any]:
    """Scores over time (by month answered), by round and by role; k-anonymous."""
    answers = _answers(state, as_of)
    by: dict[str, dict[str, list[list[Any]]]] = {"month": {}, "round": {}, "role": {}}
    for a in answers:
        by["month"].setdefault(datetime.fromtimestamp(a[5], UTC).strftime("%Y-%m"), []).append(a)
        by["round"].setdefault(a[0], []).append(a)
        by["role"].setdefault(a[1], []).append(a)
    return {
        "program_id": state.program_id,
        "as_of": iso(as_of),
        "k_anonymity": K_ANONYMITY,
        "overall": _score_group(answers),
        "by_month": [{"month": k, **_score_group(v)} for k, v in sorted(by["month"].items())],
        "by_round": [{"round": k, **_score_group(v)} for k, v in sorted(by["round"].items())],
        "by_role": [{"role": k, **_score_group(v)} for k, v in sorted(by["role"].items())],
    }


def comment_groups(state: ProgramState, as_of: int) -> dict[str, list[tuple[str, str]]]:
    """Per round answered by at least K people, the (match id, respondent) of each answer
    with a comment (the comments themselves live with the answers in insights' store)."""
    by_round: dict[str, list[list[Any]]] = defaultdict(list)
    with_comment: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for match_id, m in state.matches():
        for a in m["answers"].values():
            if a[5] <= as_of:
                by_round[a[0]].append(a)
                if a[6]:
                    with_comment[a[0]].append((match_id, a[2]))
    return {
        name: sorted(with_comment[name])
        for name, answers in sorted(by_round.items())
        if len({a[2] for a in answers}) >= K_ANONYMITY
    }


def goals_report(state: ProgramState, as_of: int) -> dict[str, Any]:
    """Goal completion per mentorship (counts only: the goals are the pair's words)."""
    rows: list[dict[str, Any]] = []
    for match_id, m in state.matches():
        goals = [g for g in m["goals"].values() if g[1] != "removed"]
        if not goals:
            continue
        rows.append(
            {
                "match_id": match_id,
                "goals": len(goals),
                "completed": sum(1 for g in goals if g[1] == "completed"),
                "mean_progress_percent": round(statistics.fmean(g[2] for g in goals), 1),
            }
        )
    total = sum(r["goals"] for r in rows)
    done = sum(r["completed"] for r in rows)
    return {
        "program_id": state.program_id,
        "as_of": iso(as_of),
        "goals": total,
        "completed": done,
        "completion_rate": round(done / total, 3) if total else None,
        "mentorships": rows,
    }
