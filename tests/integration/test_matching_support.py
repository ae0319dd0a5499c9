"""Shared fixtures and helpers of the matching integration tests (no tests here).

Each test module runs one matching service (in process, real Kafka and FerretDB) on topics
of its own, so it never replays the events of the rest of the run; each test uses its own
tenant. Profiles and programs arrive the way they do in production: as ``profile-changed``
and ``program-changed`` events on Kafka.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from chassis.devtokens import mint_token
from chassis.kafka import ensure_topics
from matching.application.service import MatchingService
from matching.bootstrap import create_app
from matching.settings import MatchingSettings
from mentorship_contracts.envelope import CloudEvent, from_kafka
from mentorship_contracts.events.base import EventPayload
from mentorship_contracts.events.profiles import ProfileChangedV1, ProfileSnapshot
from mentorship_contracts.events.programs import (
    MentorApplicationDecidedV1,
    MentorApplicationSubmittedV1,
    ProgramChangedV1,
)
from mentorship_contracts.topics import dead_letter_topic, topic
from testkit import bearer
from testkit.apps import serve_in_process
from testkit.events import eventually, matching_topics, publish_payload, read_topic
from testkit.infra import Infra, storage_profile


@dataclass
class Member:
    name: str
    member_id: str
    user_id: str
    roles: list[str]
    version: int
    snapshot: dict[str, Any]
    approved: bool
    organization_id: str


@dataclass
class Matching:
    """One tenant's view of the running matching service."""

    http: httpx.AsyncClient
    app: FastAPI
    tenant: str
    bootstrap: str
    program_id: str = "prog-1"
    program_version: int = 0
    members: dict[str, Member] = field(default_factory=dict)

    @property
    def service(self) -> MatchingService:
        return self.app.state.matching

    @property
    def settings(self) -> MatchingSettings:
        return self.app.state.runtime.settings

    # ------------------------------------------------------------------ tokens

    def auth(self, name: str, *roles: str, tenant: str | None = None) -> dict[str, str]:
        member = self.members.get(name)
        user = member.user_id if member else f"user-{name}"
        return bearer(mint_token(user, tenant or self.tenant, roles=list(roles) or ["member"]))

    def admin(self) -> dict[str, str]:
        return self.auth("org-admin", "org_admin")

    # ------------------------------------------------------------------ events in

    async def publish(self, payload: EventPayload, key: str) -> None:
        await publish_payload(self.app.state.runtime, payload, key)

    async def program(self, **overrides: Any) -> ProgramChangedV1:
        self.program_version += 1
        values: dict[str, Any] = {
            "tenant_id": self.tenant,
            "program_id": self.program_id,
            "program_version": self.program_version,
            "organization_id": self.tenant,
            "name": "Women in Tech",
            "kind": "informal",
            "modes": ["one_to_one", "group"],
            "requires_mentor_approval": True,
            "default_capacity": 2,
            "max_group_size": 10,
            "request_response_hours": 72,
            "status": "active",
        }
        values.update(overrides)
        payload = ProgramChangedV1(**values)
        await self.publish(payload, self.program_id)
        return payload

    async def member(
        self,
        name: str,
        roles: list[str],
        *,
        approved: bool = True,
        organization_id: str | None = None,
        **snapshot: Any,
    ) -> Member:
        """Publish a profile (a new one, or the next version of ``name``'s)."""
        current = self.members.get(name)
        if current is None:
            defaults: dict[str, Any] = {
                "display_name": name.title(),
                "languages": ["en"],
                "timezone": "America/Toronto",
                "accepting_mentees": "mentor" in roles,
            }
            member = Member(
                name=name,
                member_id=f"m-{name}",
                user_id=f"user-{name}",
                roles=roles,
                version=0,
                snapshot={**defaults, **snapshot},
                approved=approved and "mentor" in roles,
                organization_id=organization_id or self.tenant,
            )
        else:
            member = current
            member.roles = roles
            member.approved = approved and "mentor" in roles
            member.snapshot = {**member.snapshot, **snapshot}
            if organization_id:
                member.organization_id = organization_id
        member.version += 1
        self.members[name] = member
        await self.publish(self.profile_event(member), member.member_id)
        return member

    async def application(self, name: str, number: int, decision: str | None = None) -> None:
        """Publish ``name``'s mentor application ``number`` (submitted, or its decision)."""
        member = self.members[name]
        ids = {
            "tenant_id": self.tenant,
            "program_id": self.program_id,
            "member_id": member.member_id,
            "user_id": member.user_id,
            "application_id": f"{member.member_id}.a{number}",
        }
        payload: EventPayload
        if decision is None:
            payload = MentorApplicationSubmittedV1(**ids)
        else:
            reason = "insufficient_experience" if decision == "rejected" else None
            payload = MentorApplicationDecidedV1(
                **ids, decision=decision, reason=reason, decided_by_user_id="user-org-admin"
            )
        await self.publish(payload, member.member_id)

    def profile_event(self, member: Member, *, erased: bool = False) -> ProfileChangedV1:
        return ProfileChangedV1(
            tenant_id=self.tenant,
            program_id=self.program_id,
            member_id=member.member_id,
            user_id=member.user_id,
            organization_id=member.organization_id,
            profile_version=member.version,
            roles=[] if erased else member.roles,
            mentor_approved=False if erased else member.approved,
            erased=erased,
            snapshot=None if erased else ProfileSnapshot(**member.snapshot),
        )

    async def erase(self, name: str) -> None:
        member = self.members[name]
        member.version += 1
        await self.publish(self.profile_event(member, erased=True), member.member_id)

    # ------------------------------------------------------------------ waiting

    async def projected(self, *names: str, timeout: float = 60) -> None:
        """Until the service holds the latest version of every named member."""

        async def done() -> bool:
            for name in names:
                member = self.members[name]
                doc = await self.service.store.profile(
                    self.tenant, self.program_id, member.member_id
                )
                if doc is None or doc["profile_version"] < member.version:
                    return False
            return True

        await eventually(done, timeout=timeout)

    async def program_projected(self, timeout: float = 60) -> None:
        async def done() -> bool:
            doc = await self.service.store.program(self.tenant, self.program_id)
            return doc is not None and doc["program_version"] >= self.program_version

        await eventually(done, timeout=timeout)

    async def settled(self) -> None:
        """Recommendation documents written for everything projected so far."""
        for _ in range(3):
            await self.service.writer.flush()
            await asyncio.sleep(0.05)

    async def recommendations(self, name: str, limit: int = 10) -> dict[str, Any]:
        r = await self.http.get(
            f"/v1/programs/{self.program_id}/recommendations",
            params={"limit": limit},
            headers=self.auth(name),
        )
        assert r.status_code == 200, r.text
        return r.json()

    async def recommended(self, name: str, limit: int = 10) -> list[str]:
        return [i["mentor_id"] for i in (await self.recommendations(name, limit))["items"]]

    async def wait_recommended(
        self, name: str, check: Callable[[list[str]], bool], timeout: float = 60
    ) -> list[str]:
        seen: list[list[str]] = []

        async def probe() -> tuple[list[str]] | None:
            r = await self.http.get(
                f"/v1/programs/{self.program_id}/recommendations", headers=self.auth(name)
            )
            if r.status_code == 404:  # not projected yet
                return None
            assert r.status_code == 200, r.text
            ids = [i["mentor_id"] for i in r.json()["items"]]
            seen.append(ids)
            return (ids,) if check(ids) else None  # a tuple: an empty list is a valid answer

        try:
            return (await eventually(probe, timeout=timeout))[0]
        except AssertionError:
            raise AssertionError(f"recommendations of {name} stayed {seen[-1:]}") from None

    # ------------------------------------------------------------------ requests

    async def ask(
        self, mentee: str, mentor: str, message: str = "Please mentor me"
    ) -> httpx.Response:
        return await self.http.post(
            f"/v1/programs/{self.program_id}/requests",
            json={"mentor_id": self.members[mentor].member_id, "message": message},
            headers=self.auth(mentee),
        )

    async def act(self, who: str, request_id: str, action: str, **body: Any) -> httpx.Response:
        return await self.http.post(
            f"/v1/requests/{request_id}/{action}", json=body or None, headers=self.auth(who)
        )

    async def topic_events(
        self, topic: str, *, expect: int, timeout: float = 30
    ) -> list[CloudEvent]:
        """This tenant's events on one of the module's topics."""
        records = await read_topic(
            self.bootstrap, self.settings.topic(topic), expect=10_000, timeout=timeout
        )
        events = [from_kafka(r.value or b"", r.headers) for r in records]
        return [e for e in events if e.tenantid == self.tenant][: max(expect, 0) or None]

    async def wait_topic(
        self, topic: str, check: Callable[[list[CloudEvent]], bool], timeout: float = 60
    ) -> list[CloudEvent]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            records = await read_topic(
                self.bootstrap, self.settings.topic(topic), expect=10_000, timeout=2
            )
            events = [from_kafka(r.value or b"", r.headers) for r in records]
            mine = [e for e in events if e.tenantid == self.tenant]
            if check(mine):
                return mine
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{topic}: condition not met; saw {len(mine)} events")


@dataclass
class MatchingServer:
    app: FastAPI
    http: httpx.AsyncClient
    bootstrap: str


#: profiles' mentor-application topics, which matching consumes too (their DLQs as well)
APPLICATION_TOPICS = tuple(
    topic(name)
    for base in (MentorApplicationSubmittedV1.TOPIC, MentorApplicationDecidedV1.TOPIC)
    for name in (base, dead_letter_topic(base))
)


async def start_matching(
    infra: Infra,
    run_id: str,
    created_databases: list[str],
    *,
    prefix: str | None = None,
    **overrides: Any,
) -> tuple[MatchingSettings, str]:
    """Settings for a matching service on topics of its own (created here)."""
    prefix = prefix or f"m{uuid.uuid4().hex[:6]}."
    await ensure_topics(
        infra.kafka_bootstrap, prefix=prefix, topics=(*matching_topics(), *APPLICATION_TOPICS)
    )
    db = f"test_matching_{uuid.uuid4().hex[:10]}"
    created_databases.append(db)
    values: dict[str, Any] = {
        "environment": "test",
        "mongo_url": infra.mongo_url,
        "mongo_db": db,
        "kafka_bootstrap": infra.kafka_bootstrap,
        "topic_prefix": prefix,
        "consumer_group_prefix": f"{run_id}.{uuid.uuid4().hex[:6]}.",
        "relay_idle_poll_seconds": 0.05,
        "expiry_sweep_seconds": 0.2,
        "recommendation_flush_seconds": 0.02,
        "storage_profile": storage_profile(),
    }
    values.update(overrides)
    return MatchingSettings(**values), prefix


@pytest.fixture(scope="module")
async def matching_server(
    infra: Infra, run_id: str, created_databases: list[str]
) -> AsyncIterator[MatchingServer]:
    settings, _ = await start_matching(infra, run_id, created_databases)
    app = create_app(settings)
    async with serve_in_process(app) as http:
        yield MatchingServer(app, http, infra.kafka_bootstrap)


@pytest.fixture(name="matching")
def matching_fixture(matching_server: MatchingServer) -> Matching:
    return Matching(
        http=matching_server.http,
        app=matching_server.app,
        tenant=f"tenant-{uuid.uuid4().hex[:8]}",
        bootstrap=matching_server.bootstrap,
    )


def python_mentor(**extra: Any) -> dict[str, Any]:
    return {
        "headline": "Staff engineer, cloud platforms",
        "bio": "I build cloud platforms with Python and Kubernetes.",
        "skills": ["Python", "Kubernetes"],
        "expertise": ["cloud architecture"],
        "industry": "Fintech",
        "job_function": "Engineering",
        "years_experience": 15,
        **extra,
    }


def design_mentor(**extra: Any) -> dict[str, Any]:
    return {
        "headline": "Design lead",
        "bio": "I lead product design teams and run user research.",
        "skills": ["user research", "UX"],
        "expertise": ["design systems"],
        "industry": "Retail",
        "job_function": "Design",
        "years_experience": 12,
        **extra,
    }


def python_mentee(**extra: Any) -> dict[str, Any]:
    return {
        "bio": "Junior developer who wants to grow into cloud engineering.",
        "goals": ["Kubernetes", "Python"],
        "interests": ["cloud"],
        "industry": "Fintech",
        "job_function": "Engineering",
        "years_experience": 2,
        **extra,
    }
