"""Messaging's side of the knowledge library on real Kafka and the MongoDB wire server
(the service in process): the exchange's text reaches ``exchange-consented`` once, only
after the last consent (two authors consenting at the same moment included); an edit
resets the consents; a deletion after consent publishes ``exchange-withdrawn``; the
library's ``knowledge-entry-withdrawn`` is recorded and nothing is published back; an
erased author's exchanges awaiting consent are cancelled (their consented ones stay); bad
input is a 4xx problem and stores nothing; non-members get 404."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from chassis.devtokens import mint_token
from mentorship_contracts.envelope import from_kafka, to_kafka
from mentorship_contracts.events import EventPayload
from mentorship_contracts.events.base import Participant
from mentorship_contracts.events.knowledge import (
    ExchangeConsentedV1,
    ExchangeWithdrawnV1,
    KnowledgeEntryWithdrawnV1,
)
from mentorship_contracts.events.matching import MatchMadeV1
from mentorship_contracts.events.profiles import ProfileChangedV1
from mentorship_contracts.factory import new_event
from mentorship_contracts.topics import topic_for, topic_name
from messaging.bootstrap import create_app
from messaging.settings import MessagingSettings
from testkit.apps import free_port, serve_in_process
from testkit.events import eventually, read_topic
from testkit.infra import Infra, storage_profile

pytestmark = pytest.mark.infra
PROGRAM = "prog-kx"


@dataclass
class Messaging:
    http: httpx.AsyncClient
    tenant: str
    kafka: str
    prefix: str

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(user, self.tenant, roles=['member'])}"}

    async def publish(self, payload: EventPayload, key: str) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.kafka, acks="all")
        await producer.start()
        try:
            body, headers = to_kafka(new_event(payload, source="/tests", subject=key))
            topic = topic_name(topic_for(payload), self.prefix)
            await producer.send_and_wait(topic, body, key=key.encode(), headers=headers)
        finally:
            await producer.stop()

    async def published(self, payload: type[EventPayload]) -> list[Any]:
        """This tenant's records on the payload's topic, from its start."""
        records = await read_topic(
            self.kafka,
            topic_name(topic_for(payload), self.prefix),
            expect=10**6,
            timeout=3.0,
        )
        found = [from_kafka(r.value, r.headers) for r in records]
        return [
            payload.model_validate(e.data) for e in found if e.data.get("tenant_id") == self.tenant
        ]

    async def pair(self) -> str:
        """A match made on Kafka opens the pair's conversation (mentor bo, mentee ana)."""
        match_id = f"match-{uuid.uuid4().hex[:8]}"
        await self.publish(
            MatchMadeV1(
                tenant_id=self.tenant,
                match_id=match_id,
                program_id=PROGRAM,
                mode="one_to_one",
                mentor=Participant(member_id="m-bo", user_id="bo"),
                mentees=[Participant(member_id="m-ana", user_id="ana")],
                origin="request",
            ),
            match_id,
        )
        url = f"/v1/conversations/m-{match_id}"

        async def opened() -> bool:
            return (await self.http.get(url, headers=self.auth("ana"))).status_code == 200

        await eventually(opened, timeout=60)
        return url

    async def say(self, conv: str, user: str, text: str) -> str:
        r = await self.http.post(f"{conv}/messages", json={"body": text}, headers=self.auth(user))
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def nominate(self, conv: str, user: str, q: list[str], a: list[str]) -> httpx.Response:
        return await self.http.post(
            f"{conv}/exchanges",
            json={"question_message_ids": q, "answer_message_ids": a},
            headers=self.auth(user),
        )


@pytest.fixture(scope="module")
async def messaging(
    infra: Infra, topic_prefix: str, run_id: str, created_databases: list[str]
) -> AsyncIterator[Messaging]:
    db = f"test_messaging_kx_{uuid.uuid4().hex[:10]}"
    created_databases.append(db)
    settings = MessagingSettings(
        environment="test",
        mongo_url=infra.mongo_url,
        mongo_db=db,
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_prefix=topic_prefix,
        consumer_group_prefix=f"{run_id}.{uuid.uuid4().hex[:6]}.",
        relay_idle_poll_seconds=0.05,
        storage_profile=storage_profile(),
        smtp_port=free_port(),
        digest_poll_seconds=60,
    )
    async with serve_in_process(create_app(settings)) as http:
        yield Messaging(http, f"kx-{uuid.uuid4().hex[:8]}", infra.kafka_bootstrap, topic_prefix)


async def test_the_text_leaves_once_after_the_last_consent(messaging: Messaging) -> None:
    m = messaging
    conv = await m.pair()
    q = await m.say(conv, "ana", "How do I size Kafka partitions? mail ana@example.org")
    a = await m.say(conv, "bo", "From the peak write rate over one consumer's throughput.")
    r = await m.nominate(conv, "ana", [q], [a])
    assert r.status_code == 201, r.text
    xid = r.json()["exchange_id"]
    consent = f"{conv}/exchanges/{xid}/consents/me"

    r = await m.http.put(consent, json={"credit": True}, headers=m.auth("ana"))
    assert r.json()["status"] == "awaiting_consent"
    # an edit of a quoted message resets the consents: ana consents to what she now sees
    r = await m.http.patch(
        f"/v1/messages/{a}",
        json={"body": "From the peak write rate over what one consumer handles."},
        headers=m.auth("bo"),
    )
    assert r.status_code == 200, r.text
    shown = (await m.http.get(f"{conv}/exchanges/{xid}", headers=m.auth("bo"))).json()
    assert [x["consented"] for x in shown["authors"]] == [False, False]
    await m.http.put(consent, json={"credit": False}, headers=m.auth("bo"))
    assert await m.published(ExchangeConsentedV1) == []  # one author still to consent

    r = await m.http.put(consent, json={"credit": True}, headers=m.auth("ana"))
    assert r.status_code == 200 and r.json()["status"] == "consented", r.text
    [event] = await eventually(lambda: m.published(ExchangeConsentedV1))
    assert event.exchange_id == xid and event.program_id == PROGRAM
    assert [(x.part, x.text) for x in event.messages] == [
        ("question", "How do I size Kafka partitions? mail ana@example.org"),
        ("answer", "From the peak write rate over what one consumer handles."),
    ]
    assert {(c.user_id, c.credit) for c in event.consents} == {("ana", True), ("bo", False)}
    assert set(event.member_user_ids) == {"ana", "bo"} and event.match_id
    # consenting again changes nothing; deleting a quoted message now withdraws it
    await m.http.put(consent, json={"credit": True}, headers=m.auth("bo"))
    assert (await m.http.delete(f"/v1/messages/{q}", headers=m.auth("ana"))).status_code == 200
    [gone] = await eventually(lambda: m.published(ExchangeWithdrawnV1))
    assert (gone.exchange_id, gone.reason) == (xid, "message_deleted")
    assert len(await m.published(ExchangeConsentedV1)) == 1


async def test_two_last_consents_at_once_publish_once(messaging: Messaging) -> None:
    m = messaging
    conv = await m.pair()
    q = await m.say(conv, "ana", "Which retention should the audit topic have?")
    a = await m.say(conv, "bo", "Seven years, compacted: ask legal first.")
    xid = (await m.nominate(conv, "bo", [q], [a])).json()["exchange_id"]
    consent = f"{conv}/exchanges/{xid}/consents/me"
    answers = await asyncio.gather(
        m.http.put(consent, json={"credit": True}, headers=m.auth("ana")),
        m.http.put(consent, json={"credit": True}, headers=m.auth("bo")),
    )
    assert [r.status_code for r in answers] == [200, 200], [r.text for r in answers]
    await asyncio.sleep(1)
    found = [e for e in await m.published(ExchangeConsentedV1) if e.exchange_id == xid]
    assert len(found) == 1
    # the library withdrew the entry: recorded here, nothing published back
    await m.publish(
        KnowledgeEntryWithdrawnV1(
            tenant_id=m.tenant,
            entry_id=f"entry-{xid}",
            program_id=PROGRAM,
            exchange_id=xid,
            conversation_id=conv.rsplit("/", 1)[1],
            withdrawn_by_user_id="ana",
            reason="author_withdrew",
            withdrawn_at=datetime.now(UTC),
        ),
        xid,
    )

    async def out() -> bool:
        r = await m.http.get(f"{conv}/exchanges/{xid}", headers=m.auth("bo"))
        return r.json()["status"] == "withdrawn"

    await eventually(out, timeout=30)
    assert [e for e in await m.published(ExchangeWithdrawnV1) if e.exchange_id == xid] == []


async def test_withdrawal_before_the_last_consent_publishes_nothing(messaging: Messaging) -> None:
    m = messaging
    conv = await m.pair()
    q = await m.say(conv, "ana", "How do we rotate the signing keys?")
    a = await m.say(conv, "bo", "vault rotate, then restart the issuers.")
    xid = (await m.nominate(conv, "ana", [q], [a])).json()["exchange_id"]
    consent = f"{conv}/exchanges/{xid}/consents/me"
    await m.http.put(consent, json={}, headers=m.auth("ana"))
    r = await m.http.delete(consent, headers=m.auth("bo"))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = await m.http.put(consent, json={}, headers=m.auth("bo"))
    assert r.status_code == 409
    await asyncio.sleep(1)
    assert [e for e in await m.published(ExchangeConsentedV1) if e.exchange_id == xid] == []
    assert [e for e in await m.published(ExchangeWithdrawnV1) if e.exchange_id == xid] == []


async def test_an_erased_author_s_pending_exchange_is_cancelled(messaging: Messaging) -> None:
    """Erasure: what the member had not consented to never leaves; what they had stays."""
    m = messaging
    conv = await m.pair()
    q1 = await m.say(conv, "ana", "How do I read a flame graph?")
    a1 = await m.say(conv, "bo", "Widest bars first: that is where the time goes.")
    q2 = await m.say(conv, "ana", "Who approves production access? call me at +44 20 7946 0958")
    a2 = await m.say(conv, "bo", "The on-call lead, through the access form.")
    done = (await m.nominate(conv, "ana", [q1], [a1])).json()["exchange_id"]
    waiting = (await m.nominate(conv, "bo", [q2], [a2])).json()["exchange_id"]
    for user in ("ana", "bo"):
        r = await m.http.put(
            f"{conv}/exchanges/{done}/consents/me", json={"credit": True}, headers=m.auth(user)
        )
        assert r.status_code == 200, r.text
    r = await m.http.put(
        f"{conv}/exchanges/{waiting}/consents/me", json={"credit": True}, headers=m.auth("bo")
    )
    assert r.json()["status"] == "awaiting_consent"
    await m.publish(
        ProfileChangedV1(
            tenant_id=m.tenant,
            program_id=PROGRAM,
            member_id="m-ana",
            user_id="ana",
            organization_id=m.tenant,
            profile_version=2,
            roles=[],
            mentor_approved=False,
            erased=True,
            snapshot=None,
        ),
        "m-ana",
    )

    async def cancelled() -> dict[str, Any] | None:
        r = await m.http.get(f"{conv}/exchanges/{waiting}", headers=m.auth("bo"))
        shown: dict[str, Any] = r.json()
        return shown if shown["status"] == "cancelled" else None

    shown = await eventually(cancelled, timeout=30)
    assert shown["ended"]["reason"] == "author_erased"
    kept = (await m.http.get(f"{conv}/exchanges/{done}", headers=m.auth("bo"))).json()
    assert kept["status"] == "consented"  # the library keeps it, anonymised
    r = await m.http.put(
        f"{conv}/exchanges/{waiting}/consents/me", json={"credit": False}, headers=m.auth("bo")
    )
    assert r.status_code == 409
    await asyncio.sleep(1)
    consented = [e.exchange_id for e in await m.published(ExchangeConsentedV1)]
    assert done in consented and waiting not in consented
    withdrawn = [e.exchange_id for e in await m.published(ExchangeWithdrawnV1)]
    assert done not in withdrawn and waiting not in withdrawn


async def test_bad_input_and_strangers(messaging: Messaging) -> None:
    m = messaging
    conv = await m.pair()
    q = await m.say(conv, "ana", "Why does the build fail on Mondays?")
    a = await m.say(conv, "bo", "The cache expires on Sunday night.")
    other = await m.pair()
    elsewhere = await m.say(other, "bo", "Unrelated.")
    for questions, answers in [
        ([q], []),
        ([q], [q]),
        ([q], [elsewhere]),
        ([q], ["nope"]),
        ([q], [f"{conv.rsplit('/', 1)[1]}.999"]),
        ([q] * 21, [a]),
    ]:
        r = await m.nominate(conv, "ana", questions, answers)
        assert 400 <= r.status_code < 500 and r.status_code != 404, (questions, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await m.http.post(
        f"{conv}/exchanges", json={"question_message_ids": [q]}, headers=m.auth("ana")
    )
    assert r.status_code == 422
    assert (await m.http.get(f"{conv}/exchanges", headers=m.auth("ana"))).json() == []

    xid = (await m.nominate(conv, "ana", [q], [a])).json()["exchange_id"]
    stranger = m.auth("zed")
    for method, path in [
        ("GET", f"{conv}/exchanges"),
        ("GET", f"{conv}/exchanges/{xid}"),
        ("PUT", f"{conv}/exchanges/{xid}/consents/me"),
        ("DELETE", f"{conv}/exchanges/{xid}/consents/me"),
        ("GET", f"{conv}/exchange-suggestions"),
        ("PUT", f"{conv}/knowledge-suggestions/me"),
        ("GET", f"{other}/exchanges/{xid}"),  # not this conversation's exchange
    ]:
        body = {"opted_in": True} if "suggestions" in path else {}
        headers = m.auth("bo") if path.startswith(other) else stranger
        r = await m.http.request(
            method, path, json=body if method == "PUT" else None, headers=headers
        )
        assert r.status_code == 404, (method, path, r.text)
    other_tenant = {"Authorization": f"Bearer {mint_token('ana', 'kx-other', roles=['member'])}"}
    assert (await m.http.get(f"{conv}/exchanges/{xid}", headers=other_tenant)).status_code == 404

    # suggestions only once every member opted in
    await m.say(conv, "ana", "thanks, that worked")
    assert (await m.http.get(f"{conv}/exchange-suggestions", headers=m.auth("bo"))).json() == []
    for user in ("ana", "bo"):
        await m.http.put(
            f"{conv}/knowledge-suggestions/me", json={"opted_in": True}, headers=m.auth(user)
        )
    found = (await m.http.get(f"{conv}/exchange-suggestions", headers=m.auth("bo"))).json()
    assert found == [{"question_message_ids": [q], "answer_message_ids": [a], "reason": "thanked"}]
