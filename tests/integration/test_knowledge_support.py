"""Shared fixtures and builders of the knowledge tests (no tests here).

The messaging side of the flow (nomination and consent) is not built yet, so the tests
publish ``exchange-consented`` and ``exchange-withdrawn`` themselves, as messaging will,
``profile-changed`` / ``program-changed`` as profiles does and ``mentor-paused`` as
matching does.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from chassis.devtokens import mint_token
from knowledge.bootstrap import create_app
from knowledge.settings import KnowledgeSettings
from mentorship_contracts.events import EventPayload
from mentorship_contracts.events.knowledge import ExchangeConsentedV1, ExchangeWithdrawnV1
from mentorship_contracts.events.profiles import MentorPausedV1, ProfileChangedV1, ProfileSnapshot
from mentorship_contracts.events.programs import ProgramChangedV1
from testkit import bearer
from testkit.apps import serve_in_process
from testkit.events import eventually, publish_payload
from testkit.infra import Infra, storage_profile

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def program_changed(tenant: str, program_id: str, version: int = 1) -> ProgramChangedV1:
    return ProgramChangedV1(
        tenant_id=tenant,
        program_id=program_id,
        program_version=version,
        organization_id=tenant,
        name="Platform engineering",
        kind="informal",
        modes=["one_to_one"],
        requires_mentor_approval=True,
        default_capacity=3,
        request_response_hours=72,
        status="active",
    )


def profile(
    tenant: str,
    program_id: str,
    user: str,
    name: str,
    *,
    roles: tuple[str, ...] = ("mentee",),
    version: int = 1,
    erased: bool = False,
    **snapshot: Any,
) -> ProfileChangedV1:
    return ProfileChangedV1(
        tenant_id=tenant,
        program_id=program_id,
        member_id=f"m-{user}",
        user_id=user,
        organization_id=tenant,
        profile_version=version,
        roles=[] if erased else list(roles),  # type: ignore[arg-type]
        mentor_approved="mentor" in roles and not erased,
        erased=erased,
        snapshot=None if erased else ProfileSnapshot(display_name=name, **snapshot),
    )


def mentor_paused(
    tenant: str, program_id: str, user: str, *, paused: bool = True, until: datetime | None = None
) -> MentorPausedV1:
    return MentorPausedV1(
        tenant_id=tenant,
        program_id=program_id,
        member_id=f"m-{user}",
        user_id=user,
        paused=paused,
        until=until,
        reason="vacation" if paused else None,
    )


def exchange(
    tenant: str,
    program_id: str,
    question: tuple[str, str],
    answers: list[tuple[str, str]],
    *,
    members: list[str],
    credit: tuple[str, ...] = (),
    exchange_id: str | None = None,
) -> ExchangeConsentedV1:
    """``question`` and each answer are (author user id, text)."""
    quoted = [(question[0], "question", question[1]), *((a, "answer", t) for a, t in answers)]
    authors = list(dict.fromkeys(a for a, _, _ in quoted))
    return ExchangeConsentedV1.model_validate(
        {
            "tenant_id": tenant,
            "exchange_id": exchange_id or f"ex-{uuid.uuid4().hex[:10]}",
            "program_id": program_id,
            "conversation_id": f"conv-{uuid.uuid4().hex[:10]}",
            "nominated_by_user_id": question[0],
            "messages": [
                {
                    "message_id": f"msg-{uuid.uuid4().hex[:8]}",
                    "author_user_id": author,
                    "part": part,
                    "text": text,
                    "sent_at": T0 + timedelta(minutes=i),
                }
                for i, (author, part, text) in enumerate(quoted)
            ],
            "consents": [
                {"user_id": a, "consented_at": T0 + timedelta(hours=1), "credit": a in credit}
                for a in authors
            ],
            "member_user_ids": members,
            "consented_at": T0 + timedelta(hours=1),
        }
    )


def withdrawn(consented: ExchangeConsentedV1, by: str) -> ExchangeWithdrawnV1:
    return ExchangeWithdrawnV1(
        tenant_id=consented.tenant_id,
        exchange_id=consented.exchange_id,
        program_id=consented.program_id,
        conversation_id=consented.conversation_id,
        withdrawn_by_user_id=by,
        withdrawn_at=datetime.now(UTC),
    )


@dataclass
class KnowledgeClient:
    http: httpx.AsyncClient
    app: FastAPI
    tenant: str
    program_id: str
    published: list[str] = field(default_factory=list)

    def auth(self, user: str, *roles: str, tenant: str | None = None) -> dict[str, str]:
        return bearer(mint_token(user, tenant or self.tenant, roles=list(roles) or ["member"]))

    def url(self, path: str = "", program_id: str | None = None) -> str:
        return f"/v1/programs/{program_id or self.program_id}/knowledge{path}"

    async def publish(
        self, payload: EventPayload, key: str, *, time: datetime | None = None
    ) -> None:
        await publish_payload(self.app.state.runtime, payload, key, time=time)

    async def draft_of(self, user: str, exchange: ExchangeConsentedV1) -> dict[str, Any]:
        """Wait until ``user`` sees the exchange's draft."""

        async def found() -> dict[str, Any] | None:
            r = await self.http.get(self.url("/drafts"), headers=self.auth(user))
            if r.status_code != 200:
                return None
            for draft in r.json():
                if (
                    draft["source"]
                    and draft["source"]["conversation_id"] == exchange.conversation_id
                ):
                    if draft["question"]:
                        return draft  # type: ignore[no-any-return]
            return None

        return await eventually(found, timeout=60)  # type: ignore[no-any-return]

    async def approve(self, user: str, entry: dict[str, Any]) -> dict[str, Any]:
        r = await self.http.post(
            self.url(f"/entries/{entry['id']}/approval"),
            headers={**self.auth(user), "If-Match": f'"{entry["version"]}"'},
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def publish_entry(
        self, consented: ExchangeConsentedV1, authors: list[str]
    ) -> dict[str, Any]:
        """Consent arrives, every author approves: the published entry."""
        await self.publish(consented, consented.exchange_id)
        entry = await self.draft_of(authors[0], consented)
        for author in authors:
            entry = await self.approve(author, entry)
        assert entry["status"] == "published"
        return entry

    async def search(self, user: str, q: str, **params: Any) -> list[dict[str, Any]]:
        r = await self.http.get(
            self.url("/search"), params={"q": q, **params}, headers=self.auth(user)
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]


def knowledge_settings(
    infra: Infra, topic_prefix: str, run_id: str, created_databases: list[str]
) -> KnowledgeSettings:
    db = f"test_knowledge_{uuid.uuid4().hex[:10]}"
    created_databases.append(db)
    return KnowledgeSettings(
        environment="test",
        mongo_url=infra.mongo_url,
        mongo_db=db,
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_prefix=topic_prefix,
        consumer_group_prefix=f"{run_id}.{uuid.uuid4().hex[:6]}.",
        relay_idle_poll_seconds=0.05,
        storage_profile=storage_profile(),
        follow_poll_seconds=0.5,
    )


@pytest.fixture(scope="module", name="knowledge")
async def knowledge_fixture(
    infra: Infra, topic_prefix: str, run_id: str, created_databases: list[str]
) -> AsyncIterator[KnowledgeClient]:
    app = create_app(knowledge_settings(infra, topic_prefix, run_id, created_databases))
    tenant = f"kn-{uuid.uuid4().hex[:8]}"
    async with serve_in_process(app) as http:
        yield KnowledgeClient(http, app, tenant, f"prog-{uuid.uuid4().hex[:6]}")
