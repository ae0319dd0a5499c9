"""Profiles and knowledge as real processes: a consented exchange becomes a redacted draft,
its two authors approve it, a member finds it by a paraphrase, a non-member finds nothing,
and a withdrawal takes it out of search within seconds.

The program and its members come from the profiles API (knowledge learns them from
``profile-changed`` and ``program-changed`` only). Messaging's side of the flow (nominate,
consent) is not built yet: the test publishes ``exchange-consented`` and
``exchange-withdrawn`` on Kafka exactly as messaging will.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from chassis.devtokens import mint_token
from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.events import EventPayload
from mentorship_contracts.events.knowledge import ExchangeConsentedV1, ExchangeWithdrawnV1
from mentorship_contracts.factory import new_event
from mentorship_contracts.topics import topic_for, topic_name
from testkit.apps import ServiceProcess, run_services
from testkit.events import eventually
from testkit.infra import Infra, storage_profile

pytestmark = pytest.mark.e2e

QUESTION = (
    "Hi Bo, our Kafka consumers fall behind every evening at peak. How many partitions "
    "should the orders topic have? Reach me at ana.lima@example.org or +44 20 7946 0958."
)
ANSWER = (
    "Take the peak write rate, divide by what one consumer handles, add headroom: one "
    "partition is read by one consumer of a group, so partitions cap your parallelism."
)


@pytest.fixture(scope="module")
def services(
    infra: Infra, topic_prefix: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ServiceProcess]]:
    envs = {}
    for name in ("profiles", "knowledge"):
        p = name.upper()
        envs[name] = {
            f"{p}_ENVIRONMENT": "test",
            f"{p}_MONGO_URL": infra.mongo_url,
            f"{p}_MONGO_DB": f"test_e2e_kn_{run_id}_{uuid.uuid4().hex[:6]}_{name}",
            f"{p}_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
            f"{p}_TOPIC_PREFIX": topic_prefix,
            f"{p}_CONSUMER_GROUP_PREFIX": f"{run_id}.kn{uuid.uuid4().hex[:4]}.",
            f"{p}_STORAGE_PROFILE": storage_profile(),
        }
    envs["profiles"]["PROFILES_PROJECTOR_POLL_SECONDS"] = "0.5"
    with run_services(envs, tmp_path_factory.mktemp("knowledge-logs"), ready_timeout=240) as up:
        yield up


async def publish(infra: Infra, prefix: str, payload: EventPayload, key: str) -> None:
    """What messaging's outbox relay will do: a CloudEvent on the contract topic."""
    body, headers = to_kafka(new_event(payload, source="/mentorship/messaging", subject=key))
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            topic_name(topic_for(payload), prefix), body, key=key.encode(), headers=headers
        )
    finally:
        await producer.stop()


async def test_a_consented_exchange_is_published_found_and_withdrawn(
    services: dict[str, ServiceProcess], infra: Infra, topic_prefix: str
) -> None:
    profiles, knowledge = services["profiles"].url, services["knowledge"].url
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"

    def auth(user: str, *roles: str) -> dict[str, str]:
        token = mint_token(user, tenant, roles=list(roles) or ["member"])
        return {"Authorization": f"Bearer {token}"}

    async with httpx.AsyncClient(timeout=30) as http:
        created = await http.post(
            f"{profiles}/v1/programs",
            json={"name": "Platform guild", "requires_mentor_approval": False},
            headers=auth("admin", "org_admin"),
        )
        assert created.status_code == 201, created.text
        pid = created.json()["program_id"]
        people: dict[str, dict[str, Any]] = {
            "ana": {"roles": ["mentee"], "display_name": "Ana Lima", "skills": ["Python"]},
            "bo": {
                "roles": ["mentor"],
                "display_name": "Bo Fischer",
                "expertise": ["Kafka"],
                "skills": ["Kafka", "Partitions"],
            },
            "cy": {"roles": ["mentee"], "display_name": "Cyrus Patel", "skills": ["Kafka"]},
        }
        for user, body in people.items():
            r = await http.post(
                f"{profiles}/v1/programs/{pid}/members", json=body, headers=auth(user)
            )
            assert r.status_code == 201, r.text
        library = f"{knowledge}/v1/programs/{pid}/knowledge"

        async def members_known() -> bool:  # knowledge learnt them from profile-changed
            answers = [await http.get(f"{library}/topics", headers=auth(u)) for u in people]
            return all(a.status_code == 200 for a in answers)

        await eventually(members_known, timeout=90)

        consented = ExchangeConsentedV1.model_validate(
            {
                "tenant_id": tenant,
                "exchange_id": f"ex-{uuid.uuid4().hex[:10]}",
                "program_id": pid,
                "conversation_id": f"conv-{uuid.uuid4().hex[:10]}",
                "nominated_by_user_id": "ana",
                "messages": [
                    {
                        "message_id": "m1",
                        "author_user_id": "ana",
                        "part": "question",
                        "text": QUESTION,
                        "sent_at": datetime.now(UTC) - timedelta(days=1),
                    },
                    {
                        "message_id": "m2",
                        "author_user_id": "bo",
                        "part": "answer",
                        "text": ANSWER,
                        "sent_at": datetime.now(UTC) - timedelta(hours=20),
                    },
                ],
                "consents": [
                    {"user_id": "ana", "consented_at": datetime.now(UTC), "credit": True},
                    {"user_id": "bo", "consented_at": datetime.now(UTC), "credit": True},
                ],
                "member_user_ids": ["ana", "bo"],
                "consented_at": datetime.now(UTC),
            }
        )
        await publish(infra, topic_prefix, consented, consented.exchange_id)

        async def draft_of(user: str) -> dict[str, Any] | None:
            r = await http.get(f"{library}/drafts", headers=auth(user))
            return r.json()[0] if r.status_code == 200 and r.json() else None

        draft = await eventually(lambda: draft_of("ana"), timeout=60)
        assert (await draft_of("bo")) == draft  # both authors review the same draft
        assert "ana.lima@example.org" not in draft["question"]
        assert "[email removed]" in draft["question"]
        assert "7946" not in draft["question"] and "[phone removed]" in draft["question"]
        assert "Bo" not in draft["question"] and "Hi the mentor" in draft["question"]
        assert draft["expertise_area"] == "kafka" and "partitions" in draft["topics"]
        assert await draft_of("cy") is None

        entry = draft
        for author in ("ana", "bo"):
            r = await http.post(
                f"{library}/entries/{draft['id']}/approval",
                headers={**auth(author), "If-Match": f'"{entry["version"]}"'},
            )
            assert r.status_code == 200, r.text
            entry = r.json()
        assert entry["status"] == "published"
        assert {a["name"] for a in entry["authors"]} == {"Ana Lima", "Bo Fischer"}

        paraphrase = "my stream readers lag when traffic spikes: how do I split the log?"
        found = await http.get(f"{library}/search", params={"q": paraphrase}, headers=auth("cy"))
        assert found.status_code == 200 and found.json()[0]["id"] == draft["id"], found.text
        outsider = await http.get(f"{library}/search", params={"q": "kafka"}, headers=auth("zed"))
        assert outsider.status_code == 404

        await publish(
            infra,
            topic_prefix,
            ExchangeWithdrawnV1(
                tenant_id=tenant,
                exchange_id=consented.exchange_id,
                program_id=pid,
                conversation_id=consented.conversation_id,
                withdrawn_by_user_id="bo",
                withdrawn_at=datetime.now(UTC),
            ),
            consented.exchange_id,
        )
        started = asyncio.get_running_loop().time()

        async def gone() -> bool:
            r = await http.get(
                f"{library}/search", params={"q": "kafka partitions"}, headers=auth("cy")
            )
            return r.status_code == 200 and all(h["id"] != draft["id"] for h in r.json())

        await eventually(gone, timeout=30, interval=0.2)
        assert asyncio.get_running_loop().time() - started < 10
        r = await http.get(f"{library}/entries/{draft['id']}", headers=auth("ana"))
        assert r.status_code == 404
