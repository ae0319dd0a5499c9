"""Members' feeds on the real wire server: positions claimed by insert stay dense and
unique when two replicas append to the same members at once (FerretDB makes only an
insert into a unique index atomic), and a fresh replica finds the head past the hint."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from chassis.storage import StorageProfile
from messaging.adapters.feed import HINT_EVERY, FeedStore
from testkit.infra import Infra, storage_profile

pytestmark = pytest.mark.infra
MEMBERS = ["ana", "bo", "chloe"]
SENDS = HINT_EVERY + 4  # per replica: 40 positions, past two hint strides


@pytest.fixture
async def db(infra: Infra, created_databases: list[str]) -> Any:
    name = f"test_feed_{uuid.uuid4().hex[:10]}"
    created_databases.append(name)
    client: AsyncMongoClient[Any] = AsyncMongoClient(infra.mongo_url)
    yield client[name]
    await client.close()


async def test_two_replicas_appending_at_once_claim_dense_unique_positions(db: Any) -> None:
    storage = StorageProfile.named(storage_profile())  # type: ignore[arg-type]
    replicas = [FeedStore(db, storage, backlog=10_000) for _ in range(2)]

    async def send(replica: FeedStore, n: int) -> dict[str, int]:
        entry = {"kind": "message", "conversation_id": "c1", "message_id": f"c1.{n}"}
        return await replica.append_many("t", MEMBERS, entry)

    claimed = await asyncio.gather(
        *(send(replicas[n % 2], n) for n in range(2 * SENDS)),
    )
    for member in MEMBERS:
        positions = sorted(c[member] for c in claimed)
        assert positions == list(range(1, 2 * SENDS + 1)), member  # dense, none twice
        entries = await replicas[0].read("t", member, 0, 10 * SENDS)
        assert [e["position"] for e in entries] == positions
        # every message once in each member's feed, whichever replica wrote it
        assert sorted(e["message_id"] for e in entries) == sorted(
            f"c1.{n}" for n in range(2 * SENDS)
        )
    fresh = FeedStore(db, storage, backlog=10_000)  # a restarted replica: only the hint
    assert [await fresh.head("t", m) for m in MEMBERS] == [2 * SENDS] * len(MEMBERS)
    assert await fresh.head("t", "nobody") == 0
