"""The program change log on the real MongoDB wire server: profile writes racing from
several replicas each claim their own sequence number, without holes, and a replica that
follows the log sees every member.

FerretDB 1.x loses concurrent ``$inc`` updates (two writers can get the same number), so
the numbers are claimed by inserting the log entry (a unique ``_id``) instead."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from chassis.storage import StorageProfile
from matching import contracts_mapping as translation
from matching.adapters.profile_store import ProfileStore, member_key
from matching.application.scoring_pools import ScoringPools as Pools
from testkit.events import profile_changed
from testkit.infra import Infra

pytestmark = pytest.mark.infra
PARTITIONED = StorageProfile.named("ferretdb", partitions=4)


async def test_racing_profile_writes_claim_distinct_contiguous_seqs(
    infra: Infra, created_databases: list[str]
) -> None:
    name = f"test_matching_{uuid.uuid4().hex[:10]}"
    created_databases.append(name)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url)
    try:
        db = client[name]
        replicas = [ProfileStore(db, storage=PARTITIONED) for _ in range(3)]
        tenant = "tenant-log"

        async def write(index: int) -> int:
            member = f"m{index:02d}"
            fields = translation.profile_document(profile_changed(tenant, member, 1))
            store = replicas[index % len(replicas)]
            return await store.write_profile(member_key(tenant, "prog-1", member), fields)

        seqs = await asyncio.gather(*(write(i) for i in range(45)))
        assert sorted(seqs) == list(range(1, 46))  # none twice, none skipped

        follower = Pools(
            ProfileStore(db, storage=PARTITIONED),
            served=10,
            depth=25,
            changelog_grace_seconds=1.0,
            clock=lambda: datetime.now(UTC),
        )
        pool = await follower.fresh(tenant, "prog-1")
        assert len(pool.members) == 45 and pool.applied_seq == 45
    finally:
        await client.close()
