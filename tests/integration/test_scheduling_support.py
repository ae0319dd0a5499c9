"""Shared helpers of the scheduling integration tests (no tests here).

The service runs in process against real Kafka and FerretDB; mentorships reach it the way
they do in production, as ``match-made`` / ``mentorship-ended`` events on Kafka.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from chassis.devtokens import mint_token
from mentorship_contracts.events.base import EventPayload, Participant
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from scheduling.application.service import SchedulingService
from scheduling.bootstrap import create_app
from scheduling.settings import SchedulingSettings
from testkit import bearer
from testkit.apps import serve_in_process
from testkit.events import eventually, publish_payload
from testkit.infra import Infra, storage_profile

ALWAYS = [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "24:00"}]


def settings_for(
    infra: Infra, topic_prefix: str, run_id: str, created: list[str], **overrides: Any
) -> SchedulingSettings:
    """A scheduling service of its own (database, consumer groups) on this run's topics."""
    db = f"test_scheduling_{uuid.uuid4().hex[:10]}"
    created.append(db)
    values: dict[str, Any] = {
        "environment": "test",
        "mongo_url": infra.mongo_url,
        "mongo_db": db,
        "kafka_bootstrap": infra.kafka_bootstrap,
        "topic_prefix": topic_prefix,
        "consumer_group_prefix": f"{run_id}.{uuid.uuid4().hex[:6]}.",
        "relay_idle_poll_seconds": 0.05,
        "storage_profile": storage_profile(),
        "reminder_sweep_seconds": 600,
        **overrides,
    }
    return SchedulingSettings(**values)


@asynccontextmanager
async def serving(settings: SchedulingSettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """One service for a whole test module (joining the consumer groups takes seconds);
    each test works in a tenant of its own."""
    app = create_app(settings)
    async with serve_in_process(app) as http:
        yield app, http


def module_service() -> Any:
    """A module-scoped fixture: one scheduling service for the test module (joining the
    consumer groups takes seconds), as ``(app, http)``. ``served = module_service()``."""

    @pytest.fixture(scope="module")
    async def served(
        infra: Infra, topic_prefix: str, run_id: str, created_databases: list[str]
    ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        async with serving(settings_for(infra, topic_prefix, run_id, created_databases)) as both:
            yield both

    return served


def tenant_view() -> Any:
    """A fixture: the module's service seen from a tenant of the test's own.
    ``sched = tenant_view()``."""

    @pytest.fixture
    def sched(served: tuple[FastAPI, httpx.AsyncClient]) -> Scheduling:
        app, http = served
        return Scheduling(http, app, f"tenant-{uuid.uuid4().hex[:8]}")

    return sched


def hours_ahead(hours: int) -> datetime:
    """A whole hour at least ``hours`` from now (UTC)."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now + timedelta(hours=hours + 1)


@dataclass
class Scheduling:
    http: httpx.AsyncClient
    app: FastAPI
    tenant: str

    @property
    def service(self) -> SchedulingService:
        return self.app.state.scheduling

    def auth(self, user: str, *roles: str) -> dict[str, str]:
        return bearer(mint_token(user, self.tenant, roles=list(roles) or ["member"]))

    async def publish(self, payload: EventPayload, key: str) -> None:
        await publish_payload(self.app.state.runtime, payload, key)

    async def match(
        self, mentor: str, *mentees: str, mode: str = "one_to_one", wait: bool = True
    ) -> str:
        match_id = f"match-{uuid.uuid4().hex[:8]}"
        await self.publish(
            MatchMadeV1(
                tenant_id=self.tenant,
                match_id=match_id,
                program_id="prog-1",
                mode=mode,  # type: ignore[arg-type]
                mentor=Participant(member_id=f"m-{mentor}", user_id=mentor),
                mentees=[Participant(member_id=f"m-{m}", user_id=m) for m in mentees],
                group_id=f"group-{match_id}" if mode == "group" else None,
                origin="request",
            ),
            match_id,
        )
        if wait:
            await self.known(match_id)
        return match_id

    async def known(self, match_id: str, active: bool = True) -> None:
        async def check() -> bool:
            pair = await self.service.mentorships.pairs.get(self.tenant, match_id)
            return pair is not None and pair.active == active

        await eventually(check, timeout=60)

    async def end(self, match_id: str, mentor: str, *mentees: str) -> None:
        await self.publish(
            MentorshipEndedV1(
                tenant_id=self.tenant,
                match_id=match_id,
                program_id="prog-1",
                mentor=Participant(member_id=f"m-{mentor}", user_id=mentor),
                mentees=[Participant(member_id=f"m-{m}", user_id=m) for m in mentees],
                reason="completed",
                ended_by="mentor",
                ended_by_user_id=mentor,
            ),
            match_id,
        )

    async def available(self, user: str, **body: Any) -> httpx.Response:
        payload = {"timezone": "Europe/Paris", "rules": ALWAYS, **body}
        response = await self.http.put("/v1/me/availability", json=payload, headers=self.auth(user))
        assert response.status_code == 200, response.text
        return response

    async def book(
        self, mentee: str, match_id: str, start: datetime, minutes: int = 60, **extra: Any
    ) -> httpx.Response:
        body = {
            "starts_at": start.isoformat(),
            "duration_minutes": minutes,
            "title": "First chat",
            "agenda": "Goals for the next three months",
            **extra,
        }
        return await self.http.post(
            f"/v1/matches/{match_id}/meetings", json=body, headers=self.auth(mentee)
        )
