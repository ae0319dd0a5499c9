"""Wires the insights service: the only module that knows every other one.

Read top to bottom: the read model's buckets (in their own database, droppable), the
repositories of insights' own aggregates (event store: goals, check-in answers, rules,
nudge claims), the use cases, the consumers that fold every topic into the buckets, and
the nudge scanner (one replica at a time, by lease).
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from fastapi import FastAPI

import insights
from chassis.app import Runtime, build_runtime, create_service_app
from chassis.idempotency import IdempotencyStore
from chassis.lease import Lease
from chassis.repository import AggregateRepository
from insights.adapters.buckets import Buckets
from insights.adapters.consumer_lag import ConsumerLag
from insights.application.access import Access
from insights.application.check_ins import CheckIns
from insights.application.goals import Goals
from insights.application.nudges import Nudges
from insights.application.projector import Projector
from insights.application.reports import Reports
from insights.application.rules import Rules
from insights.application.service import InsightsService, SystemClock
from insights.domain.check_ins import CheckInAnswer
from insights.domain.goals import GoalPlan
from insights.domain.rules import ProgramRules
from insights.entrypoints import api, consumers
from insights.entrypoints.rendering import Rendered
from insights.settings import InsightsSettings

log = logging.getLogger("insights.bootstrap")


def build_buckets(runtime: Runtime, settings: InsightsSettings) -> Buckets:
    return Buckets(runtime.mongo[settings.reports_db], storage=runtime.storage)


def build_service(runtime: Runtime, settings: InsightsSettings) -> InsightsService:
    clock = SystemClock()
    buckets = build_buckets(runtime, settings)
    access = Access(buckets)

    def repository(aggregate: type, snapshots: str) -> AggregateRepository:
        return AggregateRepository(
            runtime.events, runtime.db, aggregate, storage=runtime.storage, snapshots=snapshots
        )

    rules = repository(ProgramRules, "rules_snapshots")
    answers = repository(CheckInAnswer, "check_in_snapshots")
    plans = repository(GoalPlan, "goal_snapshots")
    reports = Reports(buckets=buckets, access=access, rules=rules, answers=answers, clock=clock)
    return InsightsService(
        projector=Projector(buckets),
        reports=reports,
        goals=Goals(access=access, plans=plans, clock=clock),
        check_ins=CheckIns(access=access, answers=answers, rules=rules, clock=clock),
        rules=Rules(access=access, rules=rules),
        nudges=Nudges(reports=reports, claims=runtime.events, clock=clock),
        idempotency=IdempotencyStore(runtime.db),
    )


async def scan_for_nudges(
    runtime: Runtime, service: InsightsService, settings: InsightsSettings
) -> None:
    """Every ``nudge_scan_seconds``, if this replica holds the lease and its consumers are
    caught up (a read model behind the topics would make active mentorships look quiet):
    one pass."""
    lag = ConsumerLag(settings, consumers.topics_and_names())
    lease = Lease(
        runtime.db["leases"],
        "nudges",
        owner=uuid.uuid4().hex,
        seconds=settings.nudge_lease_seconds,
    )
    while True:
        # first sleep: at a start the consumers catch up before anything looks quiet
        await asyncio.sleep(settings.nudge_scan_seconds)
        try:
            behind = await lag.total()
            if behind > settings.nudge_max_lag:
                log.info("nudges wait: the consumers are behind", extra={"lag": behind})
            elif await lease.hold():
                sent = await service.nudges.scan()
                if sent:
                    log.info("nudges sent", extra={"sent": sent})
        except Exception:
            log.exception("the nudge scan failed; retrying at the next interval")


def create_app(settings: InsightsSettings | None = None) -> FastAPI:
    settings = settings or InsightsSettings()
    runtime = build_runtime(settings)
    service = build_service(runtime, settings)
    consumers.register(runtime, service.projector)

    async def prepare(rt: Runtime) -> None:
        await service.idempotency.ensure_indexes()
        rt.start_background(scan_for_nudges(rt, service, settings), "nudge-scan")

    app = create_service_app(
        runtime,
        title="Insights service",
        description=insights.__doc__ or "",
        routers=api.routers,
        on_startup=[prepare],
    )
    app.state.insights = service
    app.state.rendered = Rendered()
    return app
