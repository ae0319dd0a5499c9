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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from insights.domain.projection import Entries
from insights.domain.rules import DAY, HealthRules
from insights.domain.schedule import rounds

K_ANONYMITY = 5


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

    def matches(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """Mentorships whose match-made arrived (activity may precede it in a replay)."""
        return ((k, m) for k, m in sorted(self.mentorships.items()) if m["made"])


# --------------------------------------------------------------------------- one mentorship


def last_activity(m: dict[str, Any], as_of: int) -> int:
    """The latest message or held meeting (or the match itself), up to ``as_of``."""
    times = [m["made"]]
    times += [last for _, last in m["senders"].values() if last <= as_of]
    times += [ends for _, _, ends, cancelled in m["meetings"].values() if not cancelled]
    return max(t for t in times if t <= as_of) if any(t <= as_of for t in times) else m["made"]


def mentor_silent(m: dict[str, Any], rules: HealthRules, as_of: int) -> bool:
    """The mentee wrote, and the mentor has not written for ``quiet_after_days``."""
    mentor_last = m["senders"].get(m["mentor"], [0, 0])[1]
    mentee_last = max((m["senders"].get(u, [0, 0])[1] for u in m["mentees"]), default=0)
    since = max(mentor_last, m["made"])
    return mentee_last > mentor_last and as_of - since >= rules.quiet_after_days * DAY


def open_check_ins(m: dict[str, Any], rules: HealthRules, as_of: int) -> list[dict[str, Any]]:
    """Due rounds not answered by everyone, overdue past the grace days."""
    answered: dict[str, set[str]] = defaultdict(set)
    for round_name, _, user, *_ in m["answers"].values():
        answered[round_name].add(user)
    people = [m["mentor"], *m["mentees"]]
    out = []
    for due in rounds(m["made"], m["ended"], rules, as_of):
        missing = [u for u in people if u not in answered[due.name]]
        if missing and as_of - due.due_at >= rules.check_in_grace_days * DAY:
            out.append({"round": due.name, "due_at": due.due_at, "missing": len(missing)})
    return out


def mentorship_health(
    match_id: str, m: dict[str, Any], rules: HealthRules, as_of: int
) -> dict[str, Any]:
    """One row of the mentorships report: status, the rule that set it, and the counts."""
    last = last_activity(m, as_of)
    quiet = _days(as_of - last)
    held = [1 for _, _, ends, c in m["meetings"].values() if not c and ends <= as_of]
    goals = [g for g in m["goals"].values() if g[1] != "removed"]
    silent = not m["ended"] and mentor_silent(m, rules, as_of)
    overdue = open_check_ins(m, rules, as_of) if not m["ended"] else []
    if m["ended"]:
        activity, status = "ended", "ended"
        rule = f"ended on {iso(m['ended'])} ({m['why']}, by {m['by']})"
    elif quiet >= rules.inactive_after_days:
        activity, status = "inactive", "inactive"
        rule = (
            f"no message or meeting for {quiet} days (inactive after {rules.inactive_after_days})"
        )
    else:
        activity = "quiet" if quiet >= rules.quiet_after_days else "active"
        if overdue:
            status = "needs_check_in"
            first = overdue[0]
            rule = (
                f"check-in {first['round']} due since {iso(first['due_at'])}, "
                f"{first['missing']} of {1 + len(m['mentees'])} not answered"
            )
        elif activity == "quiet":
            status = "needs_check_in"
            rule = f"quiet for {quiet} days (quiet after {rules.quiet_after_days})"
        else:
            status = "on_track"
            rule = (
                f"last message or meeting {quiet} days ago (quiet after {rules.quiet_after_days})"
            )
    return {
        "match_id": match_id,
        "mode": m["mode"],
        "mentor_user_id": m["mentor"],
        "mentee_user_ids": list(m["mentees"]),
        "matched_at": iso(m["made"]),
        "ended_at": iso(m["ended"]),
        "end_reason": m["why"] or None,
        "activity": activity,
        "status": status,
        "rule": rule,
        "mentor_silent": silent,
        "quiet_days": quiet,
        "last_activity_at": iso(last),
        "messages": m["msgs"],
        "meetings_held": len(held),
        "documents_shared": len(m["docs"]),
        "goals": len(goals),
        "goals_completed": sum(1 for g in goals if g[1] == "completed"),
        "check_ins_answered": len(m["answers"]),
    }


def mentorships_report(state: ProgramState, rules: HealthRules, as_of: int) -> list[dict[str, Any]]:
    return [mentorship_health(k, m, rules, as_of) for k, m in state.matches()]


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


def health_report(state: ProgramState, rules: HealthRules, as_of: int) -> dict[str, Any]:
    members = [m for m in state.members.values() if m["v"] and not m["x"]]
    mentors = [m for m in members if "mentor" in m["r"]]
    requests = [r for r in state.requests.values() if r["at"]]
    response_hours = [(r["first"] - r["at"]) / 3600 for r in requests if r["first"]]
    rows = mentorships_report(state, rules, as_of)
    activity = Counter(r["activity"] for r in rows)
    statuses = Counter(r["status"] for r in rows)
    ended: dict[str, tuple[int, set[str]]] = {}
    for _, m in state.matches():
        if m["ended"]:
            count, people = ended.get(m["why"], (0, set()))
            ended[m["why"]] = (count + 1, people | {m["mentor"], *m["mentees"]})
    meetings = [meeting for _, m in state.matches() for meeting in m["meetings"].values()]
    goals = [g for _, m in state.matches() for g in m["goals"].values() if g[1] != "removed"]
    overdue_goals = [
        g
        for g in goals
        if g[1] != "completed" and g[3] and g[3] < iso(as_of)[:10]  # type: ignore[index]
    ]
    config = state.config or {}
    return {
        "program_id": state.program_id,
        "program_name": config.get("name"),
        "as_of": iso(as_of),
        "rules": rules.model_dump(),
        "members": {
            "total": len(members),
            "mentors": len(mentors),
            "mentees": sum(1 for m in members if "mentee" in m["r"]),
            "mentors_approved": sum(1 for m in mentors if m["a"]),
            "mentors_paused": sum(1 for m in mentors if m["p"]),
            "mentor_applications_pending": sum(
                1 for a in state.applications.values() if a["s"] == "submitted"
            ),
        },
        "requests": {
            "total": len(requests),
            "accepted": sum(1 for r in requests if r["resp"] == "accepted"),
            "declined": sum(1 for r in requests if r["resp"] == "declined"),
            "info_requested": sum(1 for r in requests if r["resp"] == "info_requested"),
            "unanswered": sum(1 for r in requests if not r["resp"]),
            "response_hours_median": _percentile(response_hours, 0.5),
            "response_hours_p90": _percentile(response_hours, 0.9),
        },
        "mentorships": {
            "made": len(rows),
            "active": activity["active"],
            "quiet": activity["quiet"],
            "inactive": activity["inactive"],
            "ended": activity["ended"],
            "on_track": statuses["on_track"],
            "needs_check_in": statuses["needs_check_in"],
            "mentor_silent": sum(1 for r in rows if r["mentor_silent"]),
            "ended_by_reason": _k_rows(ended, "reason"),
        },
        "activity": {
            "messages": sum(r["messages"] for r in rows),
            "meetings_held": sum(1 for _, _, e, c in meetings if not c and e <= as_of),
            "meetings_upcoming": sum(1 for _, _, e, c in meetings if not c and e > as_of),
            "meetings_cancelled": sum(1 for *_, c in meetings if c),
            "documents_shared": sum(r["documents_shared"] for r in rows),
        },
        "goals": {
            "total": len(goals),
            "completed": sum(1 for g in goals if g[1] == "completed"),
            "overdue": len(overdue_goals),
            "completion_rate": round(sum(1 for g in goals if g[1] == "completed") / len(goals), 3)
            if goals
            else None,
            "mean_progress_percent": round(statistics.fmean(g[2] for g in goals), 1)
            if goals
            else None,
        },
        "check_ins": check_in_summary(state, as_of),
    }


# --------------------------------------------------------------------------- check-ins


def _answers(state: ProgramState, as_of: int) -> list[list[Any]]:
    return [a for _, m in state.matches() for a in m["answers"].values() if a[5] <= as_of]


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
        by["month"].setdefault(iso(a[5])[:7], []).append(a)  # type: ignore[index]
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
