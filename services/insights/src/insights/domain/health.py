"""Program health: how one mentorship is judged at a moment, from the folded read model.

Pure functions of a mentorship's entry, the program's rules and a moment ``as_of``
(everything time-relative, such as "quiet for 20 days", is relative to it), so the same
read model gives the same judgement byte for byte, which is what the rebuild test
compares. The reports that add these up are :mod:`insights.domain.report_parts`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from insights.domain.projection import Entries
from insights.domain.rules import DAY, HealthRules
from insights.domain.schedule import MAX_ROUNDS

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


FOREVER = 2**62


def judged_until(m: dict[str, Any], t: Thresholds, as_of: int, *, daily: bool) -> int:
    """The first moment after ``as_of`` at which this mentorship may be judged or counted
    differently (its activity, status, silence, overdue round, last activity, meetings
    held, answers given by then): everything :func:`judge` and the reports read is the
    same at every moment in ``[as_of, until)``. ``daily``: its row shows the quiet days,
    which change every day, not only at the thresholds."""
    moments = [sent for _, sent in m["senders"].values() if sent > as_of]
    moments += [ends for _, _, ends, _ in m["meetings"].values() if ends > as_of]
    moments += [a[5] for a in m["answers"].values() if a[5] > as_of]
    last = last_activity(m, as_of)
    if daily:
        moments.append(last + (max(0, as_of - last) // DAY + 1) * DAY)
    else:
        moments += [last + t.quiet_days * DAY, last + t.inactive_days * DAY]
    senders = m["senders"]
    mentor_last = senders[m["mentor"]][1] if m["mentor"] in senders else 0
    moments.append(max(mentor_last, m["made"]) + t.quiet_days * DAY)
    if not m["ended"]:
        due = m["made"] + t.first_days * DAY
        for _ in range(MAX_ROUNDS):
            if due + t.grace > as_of:
                moments.append(due + t.grace)
                break
            due += t.every_days * DAY
    return min((x for x in moments if x > as_of), default=FOREVER)


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
