"""Messaging and knowledge as real processes: a match made on Kafka opens the
conversation, the two members chat, one nominates the question and its answer, both
consent in messaging; knowledge shows the authors a redacted draft, they approve it, a
member finds it by a paraphrase; a withdrawal in messaging takes it out of search within
seconds; a non-member gets 404 in both services. Nothing about the exchange reaches Kafka
before the last consent (the topic is read from its start). The program and its members
reach knowledge as profiles publishes them (``program-changed``, ``profile-changed``,
published by the test, to keep the start light on a loaded machine)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from chassis.devtokens import mint_token
from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.events import EventPayload
from mentorship_contracts.events.base import Participant
from mentorship_contracts.events.matching import MatchMadeV1
from mentorship_contracts.events.profiles import ProfileChangedV1, ProfileSnapshot
from mentorship_contracts.events.programs import ProgramChangedV1
from mentorship_contracts.factory import new_event
from mentorship_contracts.topics import topic_for, topic_name
from testkit.apps import ServiceProcess, free_port, run_services
from testkit.events import eventually, read_topic
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
    for name in ("knowledge", "messaging"):
        p = name.upper()
        envs[name] = {
            f"{p}_ENVIRONMENT": "test",
            f"{p}_MONGO_URL": infra.mongo_url,
            f"{p}_MONGO_DB": f"test_e2e_kx_{run_id}_{uuid.uuid4().hex[:6]}_{name}",
            f"{p}_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
            f"{p}_TOPIC_PREFIX": topic_prefix,
            f"{p}_CONSUMER_GROUP_PREFIX": f"{run_id}.kx{uuid.uuid4().hex[:4]}.",
            f"{p}_STORAGE_PROFILE": storage_profile(),
        }
    envs["messaging"].update(
        MESSAGING_RELAY_IDLE_POLL_SECONDS="0.05",
        MESSAGING_SMTP_PORT=str(free_port()),
        MESSAGING_DIGEST_POLL_SECONDS="60",
    )
    with run_services(envs, tmp_path_factory.mktemp("kx-logs"), ready_timeout=300) as up:
        yield up


async def tenant_messages(infra: Infra, topic: str, tenant: str) -> list[bytes]:
    """Every record of ``topic`` so far (from offset 0) that names ``tenant``."""
    records = await read_topic(infra.kafka_bootstrap, topic, expect=10**6, timeout=3.0)
    return [r.value for r in records if r.value and tenant.encode() in r.value]


async def test_an_exchange_goes_from_a_conversation_to_the_library_and_back_out(
    services: dict[str, ServiceProcess], infra: Infra, topic_prefix: str
) -> None:
    knowledge, messaging = services["knowledge"].url, services["messaging"].url
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    pid = f"prog-{uuid.uuid4().hex[:8]}"
    consented_topic = topic_name("exchange-consented", topic_prefix)

    def auth(user: str, *roles: str) -> dict[str, str]:
        token = mint_token(user, tenant, roles=list(roles) or ["member"])
        return {"Authorization": f"Bearer {token}"}

    async def publish(payload: EventPayload, key: str) -> None:
        body, headers = to_kafka(new_event(payload, source="/tests", subject=key))
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            topic = topic_name(topic_for(payload), topic_prefix)
            await producer.send_and_wait(topic, body, key=key.encode(), headers=headers)
        finally:
            await producer.stop()

    await publish(
        ProgramChangedV1(
            tenant_id=tenant,
            program_id=pid,
            program_version=1,
            organization_id=tenant,
            name="Platform guild",
            kind="informal",
            modes=["one_to_one"],
            requires_mentor_approval=False,
            default_capacity=3,
            request_response_hours=72,
            status="active",
        ),
        pid,
    )
    people: dict[str, tuple[str, dict[str, Any]]] = {
        "ana": ("mentee", {"display_name": "Ana Lima", "skills": ["Python"]}),
        "bo": (
            "mentor",
            {
                "display_name": "Bo Fischer",
                "expertise": ["Kafka"],
                "skills": ["Kafka", "Partitions"],
            },
        ),
        "cy": ("mentee", {"display_name": "Cyrus Patel", "skills": ["Kafka"]}),
    }
    for user, (role, snapshot) in people.items():
        await publish(
            ProfileChangedV1(
                tenant_id=tenant,
                program_id=pid,
                member_id=f"m-{user}",
                user_id=user,
                organization_id=tenant,
                profile_version=1,
                roles=[role],  # type: ignore[list-item]
                mentor_approved=role == "mentor",
                snapshot=ProfileSnapshot(**snapshot),
            ),
            f"m-{user}",
        )
    library = f"{knowledge}/v1/programs/{pid}/knowledge"

    async with httpx.AsyncClient(timeout=30) as http:

        async def members_known() -> bool:  # knowledge learnt them from profile-changed
            answers = [await http.get(f"{library}/topics", headers=auth(u)) for u in people]
            return all(a.status_code == 200 for a in answers)

        await eventually(members_known, timeout=90)

        # the match, as matching publishes it: messaging opens the pair's conversation
        match_id = f"match-{uuid.uuid4().hex[:8]}"
        await publish(
            MatchMadeV1(
                tenant_id=tenant,
                match_id=match_id,
                program_id=pid,
                mode="one_to_one",
                mentor=Participant(member_id="m-bo", user_id="bo"),
                mentees=[Participant(member_id="m-ana", user_id="ana")],
                origin="request",
            ),
            match_id,
        )
        conv = f"{messaging}/v1/conversations/m-{match_id}"

        async def opened() -> bool:
            return (await http.get(conv, headers=auth("ana"))).status_code == 200

        await eventually(opened, timeout=90)

        async def say(user: str, text: str) -> str:
            r = await http.post(f"{conv}/messages", json={"body": text}, headers=auth(user))
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

        q = await say("ana", QUESTION)
        a = await say("bo", ANSWER)
        await say("ana", "Thanks, that worked!")

        # suggestions: none until both opted in, then this exchange
        assert (await http.get(f"{conv}/exchange-suggestions", headers=auth("ana"))).json() == []
        for user in ("ana", "bo"):
            r = await http.put(
                f"{conv}/knowledge-suggestions/me", json={"opted_in": True}, headers=auth(user)
            )
            assert r.status_code == 200, r.text
        assert r.json()["knowledge_sharing"] is True
        suggested = (await http.get(f"{conv}/exchange-suggestions", headers=auth("bo"))).json()
        assert suggested == [
            {"question_message_ids": [q], "answer_message_ids": [a], "reason": "thanked"}
        ]

        # a non-member: 404 everywhere in messaging, nothing stored by a bad nomination
        assert (await http.get(f"{conv}/exchanges", headers=auth("cy"))).status_code == 404
        r = await http.post(
            f"{conv}/exchanges",
            json={"question_message_ids": [q], "answer_message_ids": [a]},
            headers=auth("cy"),
        )
        assert r.status_code == 404
        bad = await http.post(
            f"{conv}/exchanges",
            json={"question_message_ids": [q], "answer_message_ids": [q]},
            headers=auth("ana"),
        )
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert (await http.get(f"{conv}/exchanges", headers=auth("ana"))).json() == []

        nominated = await http.post(
            f"{conv}/exchanges",
            json={"question_message_ids": [q], "answer_message_ids": [a]},
            headers={**auth("ana"), "Idempotency-Key": f"k-{uuid.uuid4().hex}"},
        )
        assert nominated.status_code == 201, nominated.text
        exchange = nominated.json()
        xid = exchange["exchange_id"]
        assert exchange["status"] == "awaiting_consent"
        assert [(x["user_id"], x["consented"]) for x in exchange["authors"]] == [
            ("ana", False),
            ("bo", False),
        ]
        consent = f"{conv}/exchanges/{xid}/consents/me"
        assert (
            await http.put(consent, json={"credit": True}, headers=auth("cy"))
        ).status_code == 404
        r = await http.put(consent, json={"credit": True}, headers=auth("ana"))
        assert r.status_code == 200 and r.json()["status"] == "awaiting_consent", r.text
        await asyncio.sleep(1.5)  # the relay polls every 0.05 s: anything would be out by now
        assert await tenant_messages(infra, consented_topic, tenant) == []

        r = await http.put(consent, json={"credit": True}, headers=auth("bo"))
        assert r.status_code == 200 and r.json()["status"] == "consented", r.text
        assert len(await eventually(lambda: tenant_messages(infra, consented_topic, tenant))) == 1

        async def draft_of(user: str) -> dict[str, Any] | None:
            r = await http.get(f"{library}/drafts", headers=auth(user))
            return r.json()[0] if r.status_code == 200 and r.json() else None

        draft = await eventually(lambda: draft_of("ana"), timeout=60)
        assert "ana.lima@example.org" not in draft["question"]
        assert "[email removed]" in draft["question"] and "[phone removed]" in draft["question"]
        assert "7946" not in draft["question"]
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

        paraphrase = "my stream readers lag when traffic spikes: how do I split the log?"
        found = await http.get(f"{library}/search", params={"q": paraphrase}, headers=auth("cy"))
        assert found.status_code == 200 and found.json()[0]["id"] == draft["id"], found.text
        outsider = await http.get(f"{library}/search", params={"q": "kafka"}, headers=auth("zed"))
        assert outsider.status_code == 404

        # bo withdraws in messaging: the entry leaves the library within seconds
        started = asyncio.get_running_loop().time()
        r = await http.delete(consent, headers=auth("bo"))
        assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.text

        async def gone() -> bool:
            r = await http.get(
                f"{library}/search", params={"q": "kafka partitions"}, headers=auth("cy")
            )
            return r.status_code == 200 and all(h["id"] != draft["id"] for h in r.json())

        await eventually(gone, timeout=30, interval=0.2)
        assert asyncio.get_running_loop().time() - started < 10
        assert (
            await http.get(f"{library}/entries/{draft['id']}", headers=auth("ana"))
        ).status_code == 404
        shown = (await http.get(f"{conv}/exchanges/{xid}", headers=auth("ana"))).json()
        assert shown["status"] == "withdrawn" and shown["ended"]["reason"] == "author_withdrew"
