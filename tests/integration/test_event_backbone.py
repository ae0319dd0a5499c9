"""The event backbone on real Kafka and FerretDB: store, outbox relay, consumers, tracing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from opentelemetry import trace

from chassis.app import Runtime, build_runtime, create_service_app
from chassis.auth import CurrentPrincipal
from chassis.consumers import PermanentError, RetryPolicy
from chassis.domain import Aggregate, DomainEvent, applies
from chassis.eventstore import ConcurrencyError, EventStore, NewEvent
from chassis.kafka import ensure_topics
from chassis.projections import apply_if_newer
from chassis.settings import ServiceSettings
from chassis.telemetry import capture_spans
from mentorship_contracts.envelope import CloudEvent, from_kafka
from mentorship_contracts.topics import DeadLetterHeaders, topic
from testkit import bearer
from testkit.apps import serve_in_process
from testkit.events import eventually, profile_changed, profile_event, read_topic
from testkit.infra import Infra

pytestmark = pytest.mark.infra


class BackboneSettings(ServiceSettings):
    service_name: str = "backbone"


@pytest.fixture
async def runtime(make_settings: Callable[..., BackboneSettings]) -> AsyncIterator[Runtime]:
    rt = build_runtime(make_settings(BackboneSettings))
    await rt.events.ensure_indexes()
    yield rt
    await rt.mongo.close()


@pytest.fixture
async def private_runtime(
    infra: Infra, make_settings: Callable[..., BackboneSettings]
) -> AsyncIterator[Runtime]:
    """A runtime on topics of its own: for tests that publish malformed records."""
    prefix = f"own{uuid.uuid4().hex[:6]}."
    await ensure_topics(
        infra.kafka_bootstrap,
        prefix=prefix,
        topics=(topic("profile-changed"), topic("profile-changed.dlq")),
    )
    rt = build_runtime(make_settings(BackboneSettings, topic_prefix=prefix))
    yield rt
    await rt.mongo.close()


class MentorRegistered(DomainEvent):
    TYPE = "MentorRegistered"
    name: str


class CapacityChanged(DomainEvent):
    TYPE = "CapacityChanged"
    capacity: int


class Mentor(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.capacity = 0
        self.name = ""

    @applies(MentorRegistered)
    def _registered(self, event: MentorRegistered) -> None:
        self.name = event.name

    @applies(CapacityChanged)
    def _capacity(self, event: CapacityChanged) -> None:
        self.capacity = event.capacity


async def test_append_load_and_rehydrate(runtime: Runtime) -> None:
    store = runtime.events
    await store.append(
        "mentor-1", 0, [NewEvent("MentorRegistered", {"name": "Ada"})], tenant_id="t1"
    )
    await store.append(
        "mentor-1",
        1,
        [
            NewEvent("CapacityChanged", {"capacity": 2}),
            NewEvent("CapacityChanged", {"capacity": 3}),
        ],
        tenant_id="t1",
    )
    events = await store.load("mentor-1")
    assert [(e.version, e.type) for e in events] == [
        (1, "MentorRegistered"),
        (2, "CapacityChanged"),
        (3, "CapacityChanged"),
    ]
    mentor = Mentor.from_events(
        "mentor-1", [Mentor.event_types.read(e.type, e.schema_version, e.data) for e in events]
    )
    assert (mentor.name, mentor.capacity, mentor.version) == ("Ada", 3, 3)
    assert [e.version for e in await store.load("mentor-1", after_version=2)] == [3]


async def test_concurrent_appends_conflict_and_the_loser_writes_nothing(runtime: Runtime) -> None:
    store = runtime.events
    await store.append("m-2", 0, [NewEvent("MentorRegistered", {"name": "Bo"})], tenant_id="t")
    results = await asyncio.gather(
        store.append(
            "m-2",
            1,
            [
                NewEvent("CapacityChanged", {"capacity": 1}),
                NewEvent("CapacityChanged", {"capacity": 9}),
            ],
            tenant_id="t",
        ),
        store.append("m-2", 1, [NewEvent("CapacityChanged", {"capacity": 5})], tenant_id="t"),
        return_exceptions=True,
    )
    conflicts = [r for r in results if isinstance(r, ConcurrencyError)]
    winners = [r for r in results if isinstance(r, list)]
    assert len(conflicts) == 1 and len(winners) == 1
    stored = await store.load("m-2")
    assert [e.version for e in stored] == list(range(1, len(stored) + 1))
    assert len(stored) == 1 + len(winners[0])  # nothing of the loser's batch is stored
    with pytest.raises(ConcurrencyError, match="no longer at version 1"):
        await store.append("m-2", 1, [NewEvent("CapacityChanged", {"capacity": 7})], tenant_id="t")


async def test_relay_killed_mid_batch_loses_no_event(infra: Infra, runtime: Runtime) -> None:
    prefix = f"kill{uuid.uuid4().hex[:6]}."
    await ensure_topics(infra.kafka_bootstrap, prefix=prefix, topics=(topic("profile-changed"),))
    tenant = f"t-{uuid.uuid4().hex[:6]}"
    expected_ids: set[str] = set()
    for member in range(20):
        for version in range(1, 21):  # 400 events over 20 streams
            stored = await runtime.events.append(
                f"member-{member}",
                version - 1,
                [profile_event(tenant, f"member-{member}", version, bio="x" * 800)],
                tenant_id=tenant,
            )
            expected_ids.update(e.id for e in stored)
    worker = Path(__file__).with_name("relay_worker.py")
    args = [
        sys.executable,
        str(worker),
        infra.mongo_url,
        runtime.settings.mongo_db,
        infra.kafka_bootstrap,
        prefix,
    ]
    total = len(expected_ids)

    async def published_count() -> int:  # what the relay recorded as acknowledged by Kafka
        return total - await runtime.relay.backlog()

    first = subprocess.Popen([*args, "10"])  # small batches: the kill lands mid-way
    try:
        await eventually(lambda: _at_least(published_count, 30), timeout=90, interval=0.01)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    published_at_kill = await published_count()
    assert 0 < published_at_kill < total, "the kill must land mid-way"

    second = subprocess.Popen([*args, "200"])
    try:
        await eventually(lambda: _at_least(published_count, total), timeout=240)
    finally:
        second.terminate()
        second.wait()

    records = await read_topic(
        infra.kafka_bootstrap, f"{prefix}profile-changed", expect=len(expected_ids)
    )
    published = [from_kafka(r.value or b"", r.headers) for r in records]
    assert {e.id for e in published} == expected_ids
    by_member: dict[str, list[int]] = {}
    for r, e in zip(records, published, strict=True):
        assert r.key == (e.subject or "").encode()
        by_member.setdefault(e.subject or "", []).append(e.data["profile_version"])
    for versions in by_member.values():  # duplicates allowed, order per key kept
        assert sorted(set(versions)) == list(range(1, 21))
        first_seen = list(dict.fromkeys(versions))
        assert first_seen == sorted(first_seen)


async def test_sweep_publishes_what_no_fast_path_did_and_forgets_old_records(
    infra: Infra, make_settings: Callable[..., BackboneSettings]
) -> None:
    """Events of a replica that died before its fast path ran reach Kafka by the sweep."""
    prefix = f"sweep{uuid.uuid4().hex[:6]}."
    await ensure_topics(infra.kafka_bootstrap, prefix=prefix, topics=(topic("profile-changed"),))
    settings = make_settings(
        BackboneSettings, topic_prefix=prefix, relay_sweep_seconds=0.5, relay_grace_seconds=1.0
    )
    live = build_runtime(settings)
    crashed = EventStore(live.db, source="/tests/crashed-replica")  # no relay saw these
    tenant = f"t-{uuid.uuid4().hex[:6]}"
    async with serve_in_process_runtime(live):
        first = await live.events.append(
            "live-1", 0, [profile_event(tenant, "live-1", 1)], tenant_id=tenant
        )
        orphans = [
            e.id
            for member in ("orphan-1", "orphan-2")
            for e in await crashed.append(
                member, 0, [profile_event(tenant, member, 1)], tenant_id=tenant
            )
        ]
        await eventually(lambda: _backlog_is(live, 0), timeout=30)
        records = await read_topic(infra.kafka_bootstrap, f"{prefix}profile-changed", expect=3)
        assert {from_kafka(r.value or b"", r.headers).id for r in records} == {
            first[0].id,
            *orphans,
        }
        # once the watermark passed them, the records of what was published are dropped
        log = live.relay.published.collection
        await eventually(lambda: _count_is(log, 0), timeout=30)
        assert await live.relay.backlog() == 0
    await live.mongo.close()


async def _backlog_is(runtime: Runtime, n: int) -> bool:
    return await runtime.relay.backlog() == n


async def _count_is(collection: Any, n: int) -> bool:
    return bool(await collection.count_documents({}) == n)


async def _at_least(count: Callable[[], Any], n: int) -> bool:
    return bool(await count() >= n)


async def _publish_raw(runtime: Runtime, event: CloudEvent, *, times: int = 1) -> None:
    from mentorship_contracts.envelope import to_kafka

    body, headers = to_kafka(event)
    for _ in range(times):
        await runtime.broker.publish(
            body,
            runtime.settings.topic("profile-changed"),
            key=(event.subject or "").encode(),
            headers={k: v.decode() for k, v in headers},
        )


def _cloud_event(tenant: str, member: str, version: int) -> CloudEvent:
    payload = profile_changed(tenant, member, version)
    from datetime import UTC, datetime

    return CloudEvent(
        id=str(uuid.uuid4()),
        source="/tests",
        type=payload.EVENT_TYPE,
        subject=member,
        time=datetime.now(UTC),
        dataschema=payload.dataschema(),
        dataversion=1,
        tenantid=tenant,
        data=payload.model_dump(mode="json"),
    )


async def test_duplicate_delivery_produces_one_effect(
    private_runtime: Runtime, tenant: str
) -> None:
    runtime = private_runtime
    effects = runtime.db["effects"]

    @runtime.consumers.subscribe("profile-changed", name="counter")
    async def on_profile_changed(event: CloudEvent) -> None:
        if event.tenantid == tenant:
            await effects.update_one({"_id": event.id}, {"$inc": {"n": 1}}, upsert=True)

    duplicate = _cloud_event(tenant, "dup-member", 1)
    sentinel = _cloud_event(tenant, "dup-member", 2)  # same key: same partition, after it
    async with runtime.broker:
        await runtime.broker.start()
        await _publish_raw(runtime, duplicate, times=3)
        await _publish_raw(runtime, sentinel)
        await eventually(lambda: effects.find_one({"_id": sentinel.id}), timeout=60)
        # once more, in a later poll: now the stored marker is what recognises it
        later = _cloud_event(tenant, "dup-member", 3)
        await _publish_raw(runtime, duplicate)
        await _publish_raw(runtime, later)
        await eventually(lambda: effects.find_one({"_id": later.id}), timeout=60)
    assert (await effects.find_one({"_id": duplicate.id}))["n"] == 1  # type: ignore[index]


async def test_poison_messages_land_on_the_dead_letter_topic(
    infra: Infra, private_runtime: Runtime, tenant: str
) -> None:
    runtime = private_runtime
    attempts: list[str] = []

    @runtime.consumers.subscribe(
        "profile-changed", name="fragile", retry=RetryPolicy(attempts=3, first_delay=0.01)
    )
    async def on_profile_changed(event: CloudEvent) -> None:
        if event.tenantid != tenant:
            return
        attempts.append(event.id)
        if event.subject == "always-fails":
            raise RuntimeError("projection store rejected the write")
        if event.subject == "hopeless":
            raise PermanentError("program does not exist")

    failing = _cloud_event(tenant, "always-fails", 1)
    hopeless = _cloud_event(tenant, "hopeless", 1)
    async with runtime.broker:
        await runtime.broker.start()
        await _publish_raw(runtime, failing)
        await _publish_raw(runtime, hopeless)
        await runtime.broker.publish(  # not a CloudEvent at all
            b"{not json",
            runtime.settings.topic("profile-changed"),
            key=b"garbage",
            headers={"ce_type": "x"},
        )
        dlq = await read_topic(
            infra.kafka_bootstrap,
            runtime.settings.topic("profile-changed.dlq"),
            expect=999,
            timeout=15,
        )
    by_id = {dict(r.headers).get("ce_id", b"").decode(): r for r in dlq}
    mine = {k: v for k, v in by_id.items() if k in {failing.id, hopeless.id}}
    fragile_group = runtime.settings.group("fragile").encode()
    garbage = [
        r
        for r in dlq
        if r.key == b"garbage" and dict(r.headers)[DeadLetterHeaders.CONSUMER] == fragile_group
    ]
    assert len(garbage) == 1
    mine["garbage"] = garbage[0]
    assert set(mine) == {failing.id, hopeless.id, "garbage"}
    failed_headers = dict(mine[failing.id].headers)
    assert b"projection store rejected the write" in failed_headers[DeadLetterHeaders.ERROR]
    assert failed_headers[DeadLetterHeaders.ATTEMPTS] == b"3"
    assert from_kafka(mine[failing.id].value or b"", mine[failing.id].headers) == failing
    assert attempts.count(failing.id) == 3
    assert attempts.count(hopeless.id) == 1  # permanent: no retries
    assert b"invalid" in dict(mine["garbage"].headers)[DeadLetterHeaders.ERROR]


class SkillsByMember:
    """A tiny read model: each member's latest skills, version-guarded."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection

    async def reset(self) -> None:
        await self.collection.delete_many({})

    async def apply_payload(self, data: Mapping[str, Any]) -> None:
        await apply_if_newer(
            self.collection,
            data["member_id"],
            data["profile_version"],
            {"$set": {"skills": data["snapshot"]["skills"]}},
        )

    async def apply(self, event: Any) -> None:  # from the event store
        for message in event.messages:
            await self.apply_payload(message["data"])

    async def snapshot(self) -> list[dict[str, Any]]:
        return await self.collection.find({}).sort("_id").to_list()


async def test_replay_rebuilds_a_read_model_identical_to_the_live_one(
    runtime: Runtime, tenant: str
) -> None:
    live = SkillsByMember(runtime.db["skills_live"])
    replayed = SkillsByMember(runtime.db["skills_replayed"])
    from_store = SkillsByMember(runtime.db["skills_from_store"])

    @runtime.consumers.subscribe("profile-changed", name="skills-live")
    async def on_live(event: CloudEvent) -> None:
        if event.tenantid == tenant:
            await live.apply_payload(event.data)

    async with serve_in_process_runtime(runtime):
        for member in ("ann", "ben", "cy"):
            for version in (1, 2, 3):
                await runtime.events.append(
                    member,
                    version - 1,
                    [profile_event(tenant, member, version, skills=[f"{member}-skill-{version}"])],
                    tenant_id=tenant,
                )
        await eventually(lambda: _live_has(live, {"ann", "ben", "cy"}, 3), timeout=60)

        # a brand-new consumer (new group) replays the topic from the beginning
        late = build_runtime(runtime.settings)

        @late.consumers.subscribe("profile-changed", name="skills-replay")
        async def on_replay(event: CloudEvent) -> None:
            if event.tenantid == tenant:
                await replayed.apply_payload(event.data)

        async with late.broker:
            await late.broker.start()
            await eventually(lambda: _live_has(replayed, {"ann", "ben", "cy"}, 3), timeout=60)
    assert await replayed.snapshot() == await live.snapshot()
    await from_store.reset()
    folded = 0
    async for event in runtime.events.all_events():
        await from_store.apply(event)
        folded += 1
    assert folded == 9
    assert await from_store.snapshot() == await live.snapshot()
    assert (await live.snapshot())[0]["skills"] == ["ann-skill-3"]


async def _live_has(model: SkillsByMember, members: set[str], version: int) -> bool:
    docs = await model.snapshot()
    return {d["_id"] for d in docs if d["source_version"] == version} == members


def serve_in_process_runtime(runtime: Runtime) -> Any:
    """The runtime's broker and relay, without an HTTP app."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def running() -> AsyncIterator[None]:
        await runtime.broker.start()
        task = asyncio.create_task(runtime.relay.run())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await runtime.broker.stop()

    return running()


async def test_one_trace_from_http_request_to_consumer_effect(
    make_settings: Callable[..., BackboneSettings], tenant: str, token_for: Callable[..., str]
) -> None:
    spans = capture_spans()
    runtime = build_runtime(make_settings(BackboneSettings))
    effects = runtime.db["effects"]
    router = APIRouter()

    @router.post("/v1/members/{member_id}/profile")
    async def edit_profile(member_id: str, principal: CurrentPrincipal) -> dict[str, str]:
        await runtime.events.append(
            member_id,
            0,
            [profile_event(principal.tenant_id, member_id, 1)],
            tenant_id=principal.tenant_id,
        )
        return {"trace_id": format(trace.get_current_span().get_span_context().trace_id, "032x")}

    @runtime.consumers.subscribe("profile-changed", name="traced")
    async def on_profile_changed(event: CloudEvent) -> None:
        if event.tenantid == tenant:
            context = trace.get_current_span().get_span_context()
            await effects.insert_one(
                {"_id": event.id, "trace_id": format(context.trace_id, "032x")}
            )

    app = create_service_app(runtime, title="traced", description="", routers=[router])
    async with serve_in_process(app) as client:
        response = await client.post(
            "/v1/members/m-1/profile", headers=bearer(token_for("ada", tenant))
        )
        assert response.status_code == 200, response.text
        effect = await eventually(lambda: effects.find_one({}), timeout=60)
        stored = (await runtime.events.load("m-1"))[0]
    request_trace = response.json()["trace_id"]
    assert effect["trace_id"] == request_trace
    assert stored.traceparent and request_trace in stored.traceparent
    names = {
        s.name
        for s in spans.get_finished_spans()
        if format(s.context.trace_id, "032x") == request_trace
    }
    assert {
        "profile-changed publish",
        f"{runtime.settings.topic('profile-changed')} process",
    } <= names
    assert any(n.startswith("POST /v1/members") for n in names)
