"""When a mentorship's check-ins fall due: ``day_<n>`` rounds after the match, and
``close`` once it ended. Pure arithmetic on epoch seconds and the program's rules."""

from __future__ import annotations

from dataclasses import dataclass

from insights.domain.rules import DAY, HealthRules

CLOSE = "close"
MAX_ROUNDS = 200  # ~33 years of rounds every 60 days: bounds a loop over bad data


@dataclass(frozen=True)
class Round:
    name: str
    due_at: int  # epoch seconds


def rounds(made: int, ended: int, rules: HealthRules, as_of: int) -> list[Round]:
    """The rounds of a mentorship made at ``made`` (ended at ``ended``, 0 if not) that are
    due by ``as_of``: every ``day_<n>`` before the end, then ``close``."""
    if not made:
        return []
    out: list[Round] = []
    days = rules.first_check_in_days
    stop = min(as_of, ended) if ended else as_of
    while len(out) < MAX_ROUNDS:
        due = made + days * DAY
        if due > stop:
            break
        out.append(Round(f"day_{days}", due))
        days += rules.check_in_every_days
    if ended and rules.check_in_at_close and ended <= as_of:
        out.append(Round(CLOSE, ended))
    return out


def round_named(name: str, made: int, ended: int, rules: HealthRules, as_of: int) -> Round | None:
    """The round ``name`` if it is due by ``as_of`` (answers are taken for due rounds only)."""
    for due in rounds(made, ended, rules, as_of):
        if due.name == name:
            return due
    return None
