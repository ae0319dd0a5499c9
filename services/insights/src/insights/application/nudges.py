"""Use case: nudges. Check-in reminders when a round falls due, and ``mentorship-at-risk``
when a mentorship goes quiet for longer than its program allows or its mentor stays
silent while the mentee writes.

Each nudge is published exactly once: it is the first commit of its own stream
(``nudge:<tenant>:<match>:<what>``) in insights' event store, carrying the event for
Kafka; a second attempt (another replica, a restart, the next scan) collides on the
store's unique index and publishes nothing. A quiet spell is named by the moment of the
last activity, so the same mentorship is nudged again only after it was active again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from chassis.eventstore import ConcurrencyError, NewEvent, Publish
from insights.application.ports import Claims, Clock
from insights.application.reports import Reports
from insights.domain.health import last_activity, mentor_silent
from insights.domain.projection import epoch
from insights.domain.rules import DAY, HealthRules
from insights.domain.schedule import rounds
from mentorship_contracts.events import CheckInDueV1, EventPayload, MentorshipAtRiskV1

log = logging.getLogger("insights.nudges")
MAX_REMEMBERED = 100_000


@dataclass(frozen=True)
class Nudge:
    stream_id: str
    payload: EventPayload


def due_nudges(
    tenant_id: str,
    program_id: str,
    match_id: str,
    m: dict[str, Any],
    rules: HealthRules,
    now: int,
    detected_at: Any,
) -> list[Nudge]:
    """What a live mentorship should be nudged about now (pure)."""
    if m["ended"] or not m["made"]:
        return []
    out: list[Nudge] = []
    base = f"nudge:{tenant_id}:{match_id}"
    due = rounds(m["made"], 0, rules, now)
    if due:
        latest = due[-1]
        answered = {a[2] for a in m["answers"].values() if a[0] == latest.name}
        missing = sorted(u for u in [m["mentor"], *m["mentees"]] if u not in answered)
        if missing:
            out.append(
                Nudge(
                    f"{base}:check-in:{latest.name}",
                    CheckInDueV1(
                        tenant_id=tenant_id,
                        program_id=program_id,
                        match_id=match_id,
                        round=latest.name,
                        due_at=_dt(latest.due_at),
                        recipient_user_ids=missing,
                    ),
                )
            )
    last = last_activity(m, now)
    quiet_days = (now - last) // DAY
    people = {"mentor_user_id": m["mentor"], "mentee_user_ids": list(m["mentees"])}
    if quiet_days >= rules.quiet_after_days:
        out.append(
            Nudge(
                f"{base}:quiet:{last}",
                MentorshipAtRiskV1(
                    tenant_id=tenant_id,
                    program_id=program_id,
                    match_id=match_id,
                    reason="quiet",
                    quiet_days=quiet_days,
                    threshold_days=rules.quiet_after_days,
                    last_activity_at=_dt(last),
                    detected_at=detected_at,
                    **people,
                ),
            )
        )
    elif mentor_silent(m, rules.quiet_after_days, now):
        mentor_last = max(m["senders"].get(m["mentor"], [0, 0])[1], m["made"])
        out.append(
            Nudge(
                f"{base}:mentor-silent:{mentor_last}",
                MentorshipAtRiskV1(
                    tenant_id=tenant_id,
                    program_id=program_id,
                    match_id=match_id,
                    reason="mentor_silent",
                    quiet_days=(now - mentor_last) // DAY,
                    threshold_days=rules.quiet_after_days,
                    last_activity_at=_dt(mentor_last),
                    detected_at=detected_at,
                    **people,
                ),
            )
        )
    return out


def _dt(moment: int) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(moment, UTC)


class Nudges:
    def __init__(self, *, reports: Reports, claims: Claims, clock: Clock) -> None:
        self.reports = reports
        self.claims = claims
        self.clock = clock
        self._sent: set[str] = set()

    async def scan(self) -> dict[str, int]:
        """One pass over every program; returns how many nudges of each kind went out."""
        sent: dict[str, int] = defaultdict(int)
        now_dt = self.clock()
        now = epoch(now_dt)
        for tenant_id, program_id in await self.reports.buckets.all_programs():
            state = await self.reports.state(tenant_id, program_id)
            rules = await self.reports.rules_of(tenant_id, program_id)
            for match_id, m in state.matches():
                for nudge in due_nudges(tenant_id, program_id, match_id, m, rules, now, now_dt):
                    if await self._claim(nudge):
                        sent[nudge.payload.TOPIC] += 1
        return dict(sent)

    async def _claim(self, nudge: Nudge) -> bool:
        if nudge.stream_id in self._sent:
            return False
        try:
            await self.claims.append(
                nudge.stream_id,
                0,
                [NewEvent("NudgeSent", {"topic": nudge.payload.TOPIC})],
                tenant_id=nudge.payload.tenant_id,
                messages=[Publish(nudge.payload)],
            )
            claimed = True
        except ConcurrencyError:
            claimed = False  # sent before (by this replica or another)
        if len(self._sent) >= MAX_REMEMBERED:
            self._sent.clear()
        self._sent.add(nudge.stream_id)
        return claimed
