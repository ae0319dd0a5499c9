"""The use cases bootstrap wires, in one container the routes and consumers receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from chassis.idempotency import IdempotencyStore
from insights.application.check_ins import CheckIns
from insights.application.goals import Goals
from insights.application.nudges import Nudges
from insights.application.projector import Projector
from insights.application.reports import Reports
from insights.application.rules import Rules


class SystemClock:
    def __call__(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class InsightsService:
    projector: Projector
    reports: Reports
    goals: Goals
    check_ins: CheckIns
    rules: Rules
    nudges: Nudges
    idempotency: IdempotencyStore
