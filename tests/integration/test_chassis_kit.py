"""The service kit on real infrastructure: atomic commits, the aggregate repository,
upcasting on read, the relay's lease claimed by insert, and typed consumers."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from chassis.domain import Aggregate, DomainEvent, applies, upcaster
from chassis.errors import InvalidInput
from chassis.eventstore import ConcurrencyError, EventStore, NewEvent
from chassis.lease import Lease
from chassis.repository import AggregateRepository
from chassis.storage import StorageProfile
from testkit.infra import Infra, storage_profile

pytestmark = pytest.mark.infra


class Joined(DomainEvent):
    TYPE = "Joined"
    tenant_id: str
    name: str


class Tagged(DomainEvent):
    """v2 turned one ``tag`` into a list of ``tags``."""

    TYPE = "Tagged"
    VERSION = 2
    tags: list[str]


@upcaster(Tagged, from_version=1)
def _tagged_v1(data: dict[str, Any]) -> dict[str, Any]:
    return {"tags": [data["tag"]]}


class Card(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.tenant_id = ""
        self.name = ""
        self.tags: list[str] = []

    @applies(Joined)
    def _joined(self, event: Joined) -> None:
        self.tenant_id, self.name = event.tenant_id, event.name

    @applies(Tagged)
    def _tagged(self, event: Tagged) -> None:
        self.tags += event.tags


@pytest.fixture
async def db(infra: Infra, created_databases: list[str]) -> Any:
    name = f"test_kit_{uuid.uuid4().hex[:10]}"
    created_databases.append(name)
    client: AsyncMongoClient[Any] = AsyncMongoClient(infra.mongo_url)
    yield client[name]
    await client.close()


@pytest.fixture
async def store(db: Any) -> EventStore:
    profile = StorageProfile.named(storage_profile())  # type: ignore[arg-type]
    events = EventStore(db, source="/test/kit", storage=profile)
    await events.ensure_indexes()
    return events


def _repo(store: EventStore, db: Any) -> AggregateRepository[Card]:
    profile = StorageProfile.named(storage_profile(), partitions=2)  # type: ignore[arg-type]
    return AggregateRepository(store, db, Card, storage=profile, snapshots="card_snapshots")


async def test_a_commit_with_a_bad_key_writes_nothing_and_names_the_field(
    store: EventStore,
) -> None:
    events = [
        NewEvent("Joined", {"tenant_id": "t", "name": "ada"}),
        NewEvent("Tagged", {"tags": ["x"], "visibility": {"custom.city": "private"}}),
    ]
    with pytest.raises(InvalidInput) as refused:
        await store.append("s1", 0, events, tenant_id="t")
    assert "custom.city" in str(refused.value.detail) and refused.value.field == "visibility"
    assert await store.collection.count_documents({}) == 0
    assert await store.load("s1") == []


async def test_racing_writers_one_commit_wins_whole(store: EventStore) -> None:
    async def write(n: int) -> str:
        events = [NewEvent("Tagged", {"tags": [f"w{n}-{i}"]}, schema_version=2) for i in range(3)]
        try:
            await store.append("s2", 0, events, tenant_id="t")
            return "won"
        except ConcurrencyError:
            return "lost"

    results = await asyncio.gather(*(write(n) for n in range(8)))
    assert sorted(results) == ["lost"] * 7 + ["won"]
    stored = await store.load("s2")
    assert [e.version for e in stored] == [1, 2, 3]
    assert len({e.data["tags"][0].split("-")[0] for e in stored}) == 1  # all from one writer


async def test_repository_loads_snapshot_plus_newer_events_and_upcasts(
    store: EventStore, db: Any
) -> None:
    repo = _repo(store, db)
    card = await repo.load("c1")
    assert card.version == 0
    card.record(Joined(tenant_id="t", name="ada"))
    card.record(Tagged(tags=["python"]))
    await repo.save(card)
    # an old writer stored a v1 event after the snapshot: it loads as v2
    await store.append("c1", 2, [NewEvent("Tagged", {"tag": "rust"})], tenant_id="t")
    loaded = await repo.load("c1")
    assert (loaded.name, loaded.tags, loaded.version) == ("ada", ["python", "rust"], 3)
    assert (await repo.load_from_events("c1")).tags == ["python", "rust"]
    # a stale copy cannot overwrite: the append refuses, the snapshot keeps the newer state
    stale = await repo.load("c1")
    loaded.record(Tagged(tags=["go"]))
    await repo.save(loaded)
    stale.record(Tagged(tags=["cobol"]))
    with pytest.raises(ConcurrencyError):
        await repo.save(stale)
    again = await repo.load("c1")
    assert again.tags == ["python", "rust", "go"] and again.version == 4


async def test_an_older_snapshot_never_replaces_a_newer_one(store: EventStore, db: Any) -> None:
    repo = _repo(store, db)
    card = await repo.load("c2")
    card.record(Joined(tenant_id="t", name="bob"))
    await repo.save(card)
    old = Card.restore("c2", 1, card.snapshot())
    card.record(Tagged(tags=["a"]))
    await repo.save(card)
    await repo.write_snapshot(old)
    doc = await repo.snapshots.find_one("c2")
    assert doc is not None and doc["version"] == 2


async def test_bulk_start_reports_existing_streams_and_writes_nothing_of_theirs(
    store: EventStore, db: Any
) -> None:
    repo = _repo(store, db)
    first = Card("b1")
    first.record(Joined(tenant_id="t", name="one"))
    await repo.save(first)
    batch = []
    for stream in ("b1", "b2", "b3"):
        card = Card(stream)
        card.record(Joined(tenant_id="t", name=f"new {stream}"))
        card.record(Tagged(tags=["x"]))
        batch.append(card)
    failed = await repo.save_new(batch, tenant_id="t")
    assert [c.stream_id for c in failed] == ["b1"]
    assert (await repo.load("b1")).name == "one" and (await repo.load("b1")).version == 1
    assert (await repo.load("b2")).tags == ["x"]


async def test_the_lease_has_one_holder_among_racing_replicas(db: Any) -> None:
    now = [1000.0]
    leases = [
        Lease(db["leases"], "sweep", f"replica-{i}", seconds=10, clock=lambda: now[0])
        for i in range(8)
    ]
    held = await asyncio.gather(*(lease.hold() for lease in leases))
    assert sum(held) == 1
    holder = leases[held.index(True)]
    now[0] = 1006.0  # past half-term: the holder claims the next term ahead
    assert await holder.hold()
    now[0] = 1011.0
    assert [await lease.hold() for lease in leases] == [lease is holder for lease in leases]
    now[0] = 1031.0  # the holder stopped renewing (died): someone else takes over
    others = [lease for lease in leases if lease is not holder]
    taken = await asyncio.gather(*(lease.hold() for lease in others))
    assert sum(taken) == 1


async def test_racing_relays_one_sweeps(db: Any, store: EventStore, infra: Infra) -> None:
    from faststream.kafka import KafkaBroker

    from chassis.outbox import OutboxRelay

    broker = KafkaBroker(infra.kafka_bootstrap)
    relays = [OutboxRelay(store, broker, lease_seconds=30) for _ in range(6)]
    results = await asyncio.gather(*(relay.sweep(settle=True) for relay in relays))
    assert sum(r is not None for r in results) == 1  # the others are refused the lease


async def test_commit_lists_are_packed_only_where_the_profile_packs(db: Any) -> None:
    for name, packed in (("ferretdb", True), ("mongodb", False)):
        store = EventStore(
            db, source="/t", collection=f"c_{name}", storage=StorageProfile.named(name)
        )  # type: ignore[arg-type]
        await store.append(
            "s", 0, [NewEvent("Joined", {"tenant_id": "t", "name": "x"})], tenant_id="t"
        )
        raw = await store.collection.find_one({"_id": "s@000000001"})
        assert raw is not None and isinstance(raw["events"], bytes) is packed
        assert [e.data["name"] for e in await store.load("s")] == ["x"]
        redacted = await store.redact("s", event=lambda e: {**e.data, "name": ""})
        assert redacted == 1 and (await store.load("s"))[0].data["name"] == ""


async def test_loading_at_the_snapshot_head_is_point_reads_only(
    store: EventStore, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(store, db)
    card = await repo.load("h1")
    card.record(Joined(tenant_id="t", name="ada"))
    card.record(Tagged(tags=["x"]))
    await repo.save(card)

    async def no_scans(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a range query (a table scan on FerretDB) on the load path")

    monkeypatch.setattr(store, "_load_by_range", no_scans)
    assert (await repo.load("h1")).version == 2
    await store.append(
        "h1", 2, [NewEvent("Tagged", {"tags": ["y"]}, schema_version=2)], tenant_id="t"
    )
    assert (await repo.load("h1")).tags == ["x", "y"]
