"""Shared helpers of the scheduling integration tests (no tests here).

The service runs in process against real Kafka and FerretDB; mentorships reach it the way
they do in production, as ``match-made`` / ``mentorship-ended`` events on Kafka.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from chassis.devtokens import mint_token
from mentorship_contracts.events.base import EventPayload, Participant
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from scheduling.application.service import SchedulingService
from testkit import bearer
from testkit.events import eventually, publish_payload

ALWAYS = [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "24:00"}]


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
