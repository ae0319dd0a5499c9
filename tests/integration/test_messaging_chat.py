"""Messaging on real infrastructure: two replicas as real processes sharing one database,
Kafka for everything between them, WebSockets, a real SMTP server capturing the mail.

A match made on Kafka opens the conversation (no call between services); the members chat
over sockets on different replicas; a dropped client resumes from its position and gets
every missed event once, in order; an away member gets one digest, an active one none;
erasure scrubs; a non-member is refused over HTTP and WebSocket.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from typing import Any

import httpx
import pytest
import websockets
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller

from chassis.devtokens import mint_token
from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.events import EventPayload
from mentorship_contracts.events.base import Participant
from mentorship_contracts.events.documents import DocumentSharedV1
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from mentorship_contracts.events.profiles import ProfileChangedV1
from mentorship_contracts.factory import new_event
from testkit import bearer
from testkit.apps import free_port, run_services
from testkit.events import eventually
from testkit.infra import Infra, storage_profile

pytestmark = pytest.mark.asyncio(loop_scope="module")
PROGRAM = "prog-chat"
WINDOW = 6  # seconds: the "hourly" digest window of these tests


class Mailbox:
    """aiosmtpd handler: every mail the service sent, parsed."""

    def __init__(self) -> None:
        self.mails: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [m for m in self.mails if m["To"] == address]


@dataclass
class Cluster:
    urls: list[str]
    mailbox: Mailbox
    kafka: str
    prefix: str

    async def publish(self, payload: EventPayload, key: str) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.kafka)
        await producer.start()
        try:
            body, headers = to_kafka(new_event(payload, source="/tests", subject=key))
            await producer.send_and_wait(
                self.prefix + payload.TOPIC, body, key=key.encode(), headers=headers
            )
        finally:
            await producer.stop()


@pytest.fixture(scope="module")
def cluster(
    infra: Infra,
    topic_prefix: str,
    run_id: str,
    tmp_path_factory: pytest.TempPathFactory,
    created_databases: list[str],
) -> Iterator[Cluster]:
    box = Mailbox()
    smtp_port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    db = f"test_messaging_{uuid.uuid4().hex[:10]}"
    created_databases.append(db)
    env = {
        "MESSAGING_ENVIRONMENT": "test",
        "MESSAGING_MONGO_URL": infra.mongo_url,
        "MESSAGING_MONGO_DB": db,
        "MESSAGING_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "MESSAGING_TOPIC_PREFIX": topic_prefix,
        "MESSAGING_CONSUMER_GROUP_PREFIX": f"{run_id}.{uuid.uuid4().hex[:6]}.",
        "MESSAGING_STORAGE_PROFILE": storage_profile(),
        "MESSAGING_RELAY_IDLE_POLL_SECONDS": "0.05",
        "MESSAGING_SMTP_PORT": str(smtp_port),
        "MESSAGING_DIGEST_POLL_SECONDS": "0.5",
        "MESSAGING_DIGEST_HOURLY_SECONDS": str(WINDOW),
        "MESSAGING_ACTIVE_SECONDS": "12",
        "MESSAGING_WS_HEARTBEAT_SECONDS": "3",
        "MESSAGING_FEED_BACKLOG": "40",
        "MESSAGING_WS_FRAMES_PER_SECOND": "5",
        "MESSAGING_WS_FRAME_BURST": "10",
    }
    logs = tmp_path_factory.mktemp("messaging")
    try:
        with run_services({"messaging": env, "messaging@b": env}, logs, 300) as replicas:
            yield Cluster(
                [replicas["messaging"].url, replicas["messaging@b"].url],
                box,
                infra.kafka_bootstrap,
                topic_prefix,
            )
    finally:
        controller.stop()


def token(user: str, tenant: str, **claims: Any) -> str:
    return mint_token(user, tenant, roles=["member"], extra_claims=claims or None)


def ws_url(url: str) -> str:
    return url.replace("http://", "ws://") + "/v1/stream"


class Socket:
    """A client socket that collects what it is sent."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame.get("type") == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                self.frames.append(frame)
        except websockets.ConnectionClosed:
            pass

    def events(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == "event"]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == kind]

    async def wait_for(self, check: Any, timeout: float = 15.0) -> Any:
        return await eventually(lambda: _async(check()), timeout=timeout, interval=0.05)

    async def close(self) -> None:
        await self.ws.close()
        await self.task


async def _async(value: Any) -> Any:
    return value


async def connect(url: str, tok: str, after: int | None = None) -> Socket:
    ws = await websockets.connect(ws_url(url))
    await ws.send(json.dumps({"type": "hello", "token": tok, "after": after}))
    return Socket(ws)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=20) as client:
        yield client


async def open_pair(
    cluster: Cluster, http: httpx.AsyncClient, tenant: str
) -> tuple[str, str, str, str]:
    """A match made on Kafka; returns (conversation id, match id, mentor, mentee)."""
    match_id = f"match-{uuid.uuid4().hex[:8]}"
    mentor, mentee = f"mentor-{uuid.uuid4().hex[:6]}", f"mentee-{uuid.uuid4().hex[:6]}"
    await cluster.publish(
        MatchMadeV1(
            tenant_id=tenant,
            match_id=match_id,
            program_id=PROGRAM,
            mode="one_to_one",
            mentor=Participant(member_id=f"m-{mentor}", user_id=mentor),
            mentees=[Participant(member_id=f"m-{mentee}", user_id=mentee)],
            origin="request",
        ),
        match_id,
    )

    async def opened() -> Any:
        r = await http.get(
            f"{cluster.urls[0]}/v1/conversations", headers=bearer(token(mentee, tenant))
        )
        return r.status_code == 200 and [
            c for c in r.json() if c["conversation_id"] == f"m-{match_id}"
        ]

    await eventually(opened, timeout=30)
    return f"m-{match_id}", match_id, mentor, mentee


async def send(
    http: httpx.AsyncClient, url: str, tok: str, conversation: str, body: str, **extra: Any
) -> httpx.Response:
    return await http.post(
        f"{url}/v1/conversations/{conversation}/messages",
        headers=bearer(tok),
        json={"body": body, **extra},
    )


async def test_match_opens_conversation_and_two_replicas_chat(
    cluster: Cluster, http: httpx.AsyncClient, tenant: str
) -> None:
    conversation, _, mentor, mentee = await open_pair(cluster, http, tenant)
    a, b = cluster.urls
    mentee_socket = await connect(a, token(mentee, tenant))
    mentor_socket = await connect(b, token(mentor, tenant))
    await mentee_socket.wait_for(lambda: mentee_socket.of("live"))
    await mentor_socket.wait_for(lambda: mentor_socket.of("live"))

    sent = await send(
        http, b, token(mentor, tenant), conversation, "Hello **there**, see <https://example.org>"
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["html"].startswith("<p>Hello <strong>there</strong>")
    got = await mentee_socket.wait_for(lambda: mentee_socket.events())
    assert got[0]["kind"] == "message.created"
    assert got[0]["message"]["id"] == message["id"]
    assert got[0]["message"]["body"].startswith("Hello **there**")

    reply = await send(
        http,
        a,
        token(mentee, tenant),
        conversation,
        "Thanks!",
        thread_root=message["id"],
        mentions=[mentor],
    )
    assert reply.status_code == 201, reply.text
    await mentor_socket.wait_for(
        lambda: [e for e in mentor_socket.events() if e.get("message_id") == reply.json()["id"]]
    )
    # typing reaches the other member, on the other replica, with no position
    await mentee_socket.ws.send(json.dumps({"type": "typing", "conversation_id": conversation}))
    typing = await mentor_socket.wait_for(lambda: mentor_socket.of("typing"))
    assert typing[0] == {"type": "typing", "conversation_id": conversation, "user_id": mentee}

    # reading: history without the thread reply, the thread, my threads, search, unread
    page = (
        await http.get(
            f"{a}/v1/conversations/{conversation}/messages", headers=bearer(token(mentee, tenant))
        )
    ).json()
    assert [m["id"] for m in page["items"]] == [message["id"]]
    thread = (
        await http.get(
            f"{a}/v1/messages/{message['id']}/thread", headers=bearer(token(mentor, tenant))
        )
    ).json()
    assert [r["body"] for r in thread["replies"]] == ["Thanks!"]
    threads = (await http.get(f"{b}/v1/threads", headers=bearer(token(mentor, tenant)))).json()
    assert [t["root"]["id"] for t in threads] == [message["id"]] and threads[0]["reply_count"] == 1
    found = (
        await http.get(
            f"{a}/v1/search", params={"q": "hello"}, headers=bearer(token(mentee, tenant))
        )
    ).json()
    assert [m["id"] for m in found] == [message["id"]]
    rows = (await http.get(f"{a}/v1/conversations", headers=bearer(token(mentee, tenant)))).json()
    assert [r["unread"] for r in rows if r["conversation_id"] == conversation] == [1]
    read = await http.put(
        f"{a}/v1/conversations/{conversation}/read",
        headers=bearer(token(mentee, tenant)),
        json={"up_to": 2},
    )
    assert read.json() == {"up_to": 2}
    await mentor_socket.wait_for(lambda: [e for e in mentor_socket.events() if e["kind"] == "read"])
    rows = (await http.get(f"{a}/v1/conversations", headers=bearer(token(mentee, tenant)))).json()
    assert [r["unread"] for r in rows if r["conversation_id"] == conversation] == [0]
    await mentee_socket.close()
    await mentor_socket.close()


async def test_resume_gets_every_missed_event_once_in_order(
    cluster: Cluster, http: httpx.AsyncClient, tenant: str
) -> None:
    conversation, _, mentor, mentee = await open_pair(cluster, http, tenant)
    a, b = cluster.urls
    first = await connect(a, token(mentee, tenant))
    await first.wait_for(lambda: first.of("live"))
    one = (await send(http, b, token(mentor, tenant), conversation, "one")).json()
    seen = await first.wait_for(lambda: first.events())
    position = seen[-1]["position"]
    await first.close()

    missed = [
        (await send(http, b, token(mentor, tenant), conversation, f"missed {i}")).json()
        for i in range(3)
    ]
    edit = await http.patch(
        f"{b}/v1/messages/{missed[0]['id']}",
        headers=bearer(token(mentor, tenant)),
        json={"body": "missed 0 (edited)"},
    )
    assert edit.status_code == 200, edit.text
    gone = await http.delete(
        f"{b}/v1/messages/{missed[1]['id']}", headers=bearer(token(mentor, tenant))
    )
    assert gone.json()["state"] == "deleted" and gone.json()["body"] is None
    react = await http.put(
        f"{a}/v1/messages/{one['id']}/reactions/%F0%9F%91%8D", headers=bearer(token(mentor, tenant))
    )
    assert react.status_code == 200, react.text

    again = await connect(b, token(mentee, tenant), after=position)
    await again.wait_for(lambda: again.of("live"))
    replayed = again.events()
    assert [e["position"] for e in replayed] == list(range(position + 1, position + 7))
    assert [(e["kind"], e.get("change"), e["message_id"]) for e in replayed] == [
        ("message.created", "created", missed[0]["id"]),
        ("message.created", "created", missed[1]["id"]),
        ("message.created", "created", missed[2]["id"]),
        ("message.updated", "edited", missed[0]["id"]),
        ("message.updated", "deleted", missed[1]["id"]),
        ("message.updated", "reaction", one["id"]),
    ]
    # the deleted message's content is gone from the replay too
    assert all(e["message"]["body"] is None for e in replayed if e["message_id"] == missed[1]["id"])
    live = (await send(http, a, token(mentor, tenant), conversation, "live again")).json()
    await again.wait_for(lambda: [e for e in again.events() if e["message_id"] == live["id"]])
    await asyncio.sleep(0.5)
    assert [e["message_id"] for e in again.events()].count(live["id"]) == 1
    await again.close()

    # a position the feed no longer keeps (backlog 40 in these tests) is refused explicitly
    stale = await connect(a, token(mentee, tenant), after=-1)
    await stale.task
    assert stale.of("error")[0]["code"] == "position_too_old"
    assert stale.ws.close_code == 4410


async def test_non_member_is_refused_everywhere(
    cluster: Cluster, http: httpx.AsyncClient, tenant: str
) -> None:
    conversation, _, mentor, _ = await open_pair(cluster, http, tenant)
    a, _ = cluster.urls
    message = (await send(http, a, token(mentor, tenant), conversation, "private")).json()
    for who in (token("stranger", tenant), token(mentor, "another-tenant")):
        h = bearer(who)
        assert (
            await http.get(f"{a}/v1/conversations/{conversation}", headers=h)
        ).status_code == 404
        assert (
            await http.get(f"{a}/v1/conversations/{conversation}/messages", headers=h)
        ).status_code == 404
        assert (await send(http, a, who, conversation, "let me in")).status_code == 404
        assert (
            await http.get(
                f"{a}/v1/search",
                params={"q": "private", "conversation_id": conversation},
                headers=h,
            )
        ).status_code == 404
        assert (await http.get(f"{a}/v1/search", params={"q": "private"}, headers=h)).json() == []
        assert (
            await http.get(f"{a}/v1/messages/{message['id']}/thread", headers=h)
        ).status_code == 404
        assert (
            await http.patch(f"{a}/v1/messages/{message['id']}", headers=h, json={"body": "x"})
        ).status_code == 404
        socket = await connect(a, who)
        await socket.wait_for(lambda s=socket: s.of("live"))
        await socket.ws.send(json.dumps({"type": "typing", "conversation_id": conversation}))
        error = await socket.wait_for(lambda s=socket: s.of("error"))
        assert error[0]["code"] == "not_found"
        await send(http, a, token(mentor, tenant), conversation, "still private")
        await asyncio.sleep(1.0)
        assert socket.events() == []
        await socket.close()
    assert (await http.get(f"{a}/v1/conversations")).status_code == 401
    bad = await connect(a, "not-a-token")
    await bad.task
    assert bad.ws.close_code == 4401


async def test_bad_input_is_refused_and_the_socket_survives(
    cluster: Cluster, http: httpx.AsyncClient, tenant: str
) -> None:
    conversation, _, mentor, mentee = await open_pair(cluster, http, tenant)
    a, b = cluster.urls
    tok = token(mentor, tenant)
    for body, extra in [
        ("<script>alert(1)</script>", {}),
        ("hi <b>there</b>", {}),
        ("x" * 10_001, {}),
        ("   ", {}),
        ("ok", {"attachments": [f"doc-{i}" for i in range(11)]}),
        ("ok", {"attachments": ["doc-never-shared"]}),
        ("ok", {"mentions": ["not-a-member"]}),
    ]:
        r = await send(http, a, tok, conversation, body, **extra)
        assert r.status_code == 422, (body[:30], r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    page = (
        await http.get(f"{a}/v1/conversations/{conversation}/messages", headers=bearer(tok))
    ).json()
    assert page["items"] == []
    # a send retried with its Idempotency-Key posts once
    retried = [
        await http.post(
            f"{b}/v1/conversations/{conversation}/messages",
            headers={**bearer(tok), "Idempotency-Key": "send-1"},
            json={"body": "once"},
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in retried] == [201, 201]
    assert retried[0].json()["id"] == retried[1].json()["id"]
    assert retried[1].headers.get("Idempotent-Replayed") == "true"
    # a link with a javascript: URL renders inert
    inert = (await send(http, a, tok, conversation, "[click](javascript:alert(1))")).json()
    assert "<a" not in inert["html"] and inert["body"] == "[click](javascript:alert(1))"

    flooder = await connect(a, token(mentee, tenant))
    calm = await connect(b, tok)
    await flooder.wait_for(lambda: flooder.of("live"))
    await calm.wait_for(lambda: calm.of("live"))
    await flooder.ws.send("x" * 9000)
    await flooder.ws.send("{not json")
    await flooder.ws.send(json.dumps({"type": "launch"}))
    codes = await flooder.wait_for(
        lambda: len(flooder.of("error")) >= 3 and [e["code"] for e in flooder.of("error")]
    )
    assert codes[:3] == ["frame_too_large", "malformed", "malformed"]
    for _ in range(30):
        await flooder.ws.send(json.dumps({"type": "ping"}))
    await flooder.wait_for(lambda: [e for e in flooder.of("error") if e["code"] == "rate_limited"])
    # the flooder's socket is still open, and the other member's is unaffected
    sent = (await send(http, b, tok, conversation, "still here")).json()
    await flooder.wait_for(lambda: [e for e in flooder.events() if e["message_id"] == sent["id"]])
    await calm.ws.send(json.dumps({"type": "ping"}))
    await calm.wait_for(lambda: calm.of("pong"))
    assert not calm.of("error")
    await flooder.close()
    await calm.close()


async def test_digest_once_for_the_away_member_none_for_the_active(
    cluster: Cluster, http: httpx.AsyncClient, tenant: str
) -> None:
    conversation, _, mentor, mentee = await open_pair(cluster, http, tenant)
    a, b = cluster.urls
    away, active = f"{mentor}@example.org", f"{mentee}@example.org"
    for user, address in ((mentor, away), (mentee, active)):
        r = await http.put(
            f"{a}/v1/me/digest",
            headers=bearer(token(user, tenant, email=address)),
            json={"frequency": "hourly"},
        )
        assert r.json() == {"frequency": "hourly", "email": address}
    present = await connect(a, token(mentee, tenant))
    await present.wait_for(lambda: present.of("live"))
    await asyncio.sleep(WINDOW - time.time() % WINDOW + 0.2)  # all in one window
    sends = [
        send(http, b, token(who, tenant), conversation, f"to the {whom} {i}")
        for i in range(3)
        for who, whom in ((mentee, "mentor"), (mentor, "mentee"))
    ]
    assert [r.status_code for r in await asyncio.gather(*sends)] == [201] * 6
    mails = await eventually(lambda: _async(cluster.mailbox.to(away)), timeout=30)
    await asyncio.sleep(WINDOW)  # another window and many polls of both replicas
    assert len(cluster.mailbox.to(away)) == 1
    assert "3 unread messages" in mails[0]["Subject"]
    assert "to the mentor" not in mails[0].get_payload()  # what it says stays in the app
    assert not present.task.done(), f"the active member's socket closed: {present.ws.close_code}"
    assert cluster.mailbox.to(active) == []
    await present.close()


async def test_erasure_scrubs_and_ending_archives(
    cluster: Cluster, http: httpx.AsyncClient, tenant: str
) -> None:
    conversation, match_id, mentor, mentee = await open_pair(cluster, http, tenant)
    a, _ = cluster.urls
    kept = (await send(http, a, token(mentor, tenant), conversation, "from the mentor")).json()
    # a document shared with the match may be attached (the document-shared check)
    await cluster.publish(
        DocumentSharedV1(
            tenant_id=tenant,
            program_id=PROGRAM,
            document_id="doc-plans",
            owner_user_id=mentee,
            shared_by_user_id=mentee,
            match_id=match_id,
            shared_with_user_ids=[mentor],
            media_type="application/pdf",
            size_bytes=1000,
        ),
        "doc-plans",
    )

    async def attached() -> Any:
        r = await send(
            http,
            a,
            token(mentee, tenant),
            conversation,
            "my secret plans",
            attachments=["doc-plans"],
        )
        return r.status_code == 201 and r.json()

    erased = await eventually(attached, timeout=15)
    assert erased["attachments"] == ["doc-plans"]
    also = await send(
        http, a, token(mentor, tenant), conversation, "not mine", attachments=["doc-plans"]
    )
    assert also.status_code == 201  # shared with the match: the mentor may attach it too
    await cluster.publish(
        ProfileChangedV1(
            tenant_id=tenant,
            program_id=PROGRAM,
            member_id=f"m-{mentee}",
            user_id=mentee,
            organization_id=tenant,
            profile_version=2,
            roles=[],
            mentor_approved=False,
            erased=True,
            snapshot=None,
        ),
        f"m-{mentee}",
    )

    async def scrubbed() -> Any:
        page = (
            await http.get(
                f"{a}/v1/conversations/{conversation}/messages",
                headers=bearer(token(mentor, tenant)),
            )
        ).json()
        return {m["id"]: (m["state"], m["body"]) for m in page["items"]}

    states = await eventually(
        lambda: _async_check(scrubbed, lambda s: s.get(erased["id"]) == ("erased", None)),
        timeout=15,
    )
    assert states[kept["id"]] == ("visible", "from the mentor")
    thread = await http.get(
        f"{a}/v1/messages/{erased['id']}/thread", headers=bearer(token(mentor, tenant))
    )
    assert thread.json()["root"]["attachments"] == []  # unlinked
    found = (
        await http.get(
            f"{a}/v1/search", params={"q": "secret"}, headers=bearer(token(mentor, tenant))
        )
    ).json()
    assert found == []

    await cluster.publish(
        MentorshipEndedV1(
            tenant_id=tenant,
            match_id=match_id,
            program_id=PROGRAM,
            mentor=Participant(member_id=f"m-{mentor}", user_id=mentor),
            mentees=[Participant(member_id=f"m-{mentee}", user_id=mentee)],
            reason="completed",
            ended_by="mentor",
        ),
        match_id,
    )

    async def archived() -> Any:
        r = await http.get(
            f"{a}/v1/conversations/{conversation}", headers=bearer(token(mentor, tenant))
        )
        return r.json().get("archived")

    await eventually(archived, timeout=15)
    refused = await send(http, a, token(mentor, tenant), conversation, "anyone?")
    assert refused.status_code == 409
    history = await http.get(
        f"{a}/v1/conversations/{conversation}/messages", headers=bearer(token(mentor, tenant))
    )
    assert history.status_code == 200 and len(history.json()["items"]) == 3


async def _async_check(fetch: Any, ok: Any) -> Any:
    value = await fetch()
    return value if ok(value) else None


async def test_a_group_conversation_gains_and_loses_mentees_by_match(
    cluster: Cluster, http: httpx.AsyncClient, tenant: str
) -> None:
    a, _ = cluster.urls
    group, mentor = f"grp-{uuid.uuid4().hex[:6]}", "group-mentor"
    mentor_p = Participant(member_id="m-group-mentor", user_id=mentor)
    for mentee in ("g1", "g2"):
        await cluster.publish(
            MatchMadeV1(
                tenant_id=tenant,
                match_id=f"{group}-{mentee}",
                program_id=PROGRAM,
                mode="group",
                mentor=mentor_p,
                mentees=[Participant(member_id=f"m-{mentee}", user_id=mentee)],
                group_id=group,
                origin="request",
            ),
            f"{group}-{mentee}",
        )

    async def members() -> Any:
        r = await http.get(f"{a}/v1/conversations/g-{group}", headers=bearer(token(mentor, tenant)))
        return r.status_code == 200 and sorted(r.json()["members"])

    assert await eventually(
        lambda: _async_check(members, lambda m: m == ["g1", "g2", mentor]), timeout=20
    )
    await cluster.publish(
        MentorshipEndedV1(
            tenant_id=tenant,
            match_id=f"{group}-g1",
            program_id=PROGRAM,
            mentor=mentor_p,
            mentees=[Participant(member_id="m-g1", user_id="g1")],
            reason="mentee_left",
            ended_by="mentee",
        ),
        f"{group}-g1",
    )
    assert await eventually(
        lambda: _async_check(members, lambda m: m == ["g2", mentor]), timeout=20
    )
    gone = await http.get(f"{a}/v1/conversations/g-{group}", headers=bearer(token("g1", tenant)))
    assert gone.status_code == 404


async def test_the_socket_closes_when_its_token_expires(
    cluster: Cluster, http: httpx.AsyncClient, tenant: str
) -> None:
    short = mint_token("brief", tenant, roles=["member"], ttl_seconds=3)
    socket = await connect(cluster.urls[0], short)
    await socket.wait_for(lambda: socket.of("live"))
    await asyncio.wait_for(socket.task, 15)
    assert socket.of("error")[-1]["code"] == "token_expired"
    assert socket.ws.close_code == 4401
