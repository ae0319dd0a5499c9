"""Partitioned collections on real FerretDB: a database written with plain collections
(``MATCHING_COLLECTION_PARTITIONS=1``) is moved into partitions when the service restarts
with more, and the service carries on: same recommendations, new edits applied, and the
mentee's list says which profile version it was computed for."""

from __future__ import annotations

import uuid

import pytest
from pymongo import AsyncMongoClient
from test_matching_support import (
    Matching,
    design_mentor,
    python_mentee,
    python_mentor,
    start_matching,
)

from matching.bootstrap import create_app
from testkit.apps import serve_in_process
from testkit.infra import Infra

pytestmark = pytest.mark.infra


async def test_plain_collections_move_into_partitions_on_restart(
    infra: Infra, run_id: str, created_databases: list[str]
) -> None:
    settings, _ = await start_matching(infra, run_id, created_databases, collection_partitions=1)
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    app = create_app(settings)
    async with serve_in_process(app) as http:
        m = Matching(http=http, app=app, tenant=tenant, bootstrap=infra.kafka_bootstrap)
        await m.program()
        await m.member("ada", ["mentor"], **python_mentor())
        await m.member("grace", ["mentor"], **design_mentor())
        await m.member("sam", ["mentee"], **python_mentee())
        await m.projected("ada", "grace", "sam")
        before = await m.wait_recommended("sam", lambda ids: ids == ["m-ada", "m-grace"])
        members = m.members

    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(infra.mongo_url)
    db = client[settings.mongo_db]
    try:
        assert await db["profiles"].count_documents({}) == 3

        moved = settings.model_copy(update={"collection_partitions": 4})
        app = create_app(moved)
        async with serve_in_process(app) as http:
            m = Matching(http=http, app=app, tenant=tenant, bootstrap=infra.kafka_bootstrap)
            m.members, m.program_version = members, 1
            # the lists are rewritten from the pools, which were loaded from the partitions
            await m.wait_recommended("sam", lambda ids: ids == before)
            names = set(await db.list_collection_names())
            assert "profiles" not in names and "recommendations" not in names
            counts = [await db[f"profiles.p{i:03d}"].count_documents({}) for i in range(4)]
            assert sum(counts) == 3

            # edits keep flowing: the mentee turns to design, and their list says for which
            # version of their profile it was computed
            await m.member("sam", ["mentee"], goals=["UX", "user research"], job_function="Design")
            await m.wait_recommended("sam", lambda ids: ids[:1] == ["m-grace"])
            doc = await app.state.matching.read_models.recommendation(tenant, "prog-1", "m-sam")
            assert doc is not None and doc["mentee_profile_version"] == members["sam"].version
    finally:
        await client.close()
