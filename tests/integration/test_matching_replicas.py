"""Scale-out and restarts: replicas sharing a consumer group (each sees only some
partitions) keep identical scoring pools through the program change log, and a restarted
service rebuilds its pools from MongoDB and carries on where it stopped."""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack

import pytest
from test_matching_support import Matching, python_mentee, python_mentor, start_matching

from matching.application.service import MatchingService
from matching.bootstrap import create_app
from testkit.apps import serve_in_process
from testkit.events import eventually
from testkit.infra import Infra

pytestmark = pytest.mark.infra


def _pool_view(service: MatchingService, tenant: str) -> dict[str, list[str]]:
    pool = service.pools.get(tenant, "prog-1")
    return {j: [m for m, _ in pool.ranked(j, 10)] for j in pool.mentee_ids()}


async def test_replicas_converge_and_a_restart_resumes(
    infra: Infra, run_id: str, created_databases: list[str]
) -> None:
    settings, _ = await start_matching(infra, run_id, created_databases)
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    names = [f"mentor{i}" for i in range(6)] + [f"mentee{i}" for i in range(4)]
    async with AsyncExitStack() as stack:
        first = create_app(settings)
        second = create_app(settings)  # same group: the partitions are split between them
        http_a = await stack.enter_async_context(serve_in_process(first))
        http_b = await stack.enter_async_context(serve_in_process(second))
        m = Matching(http=http_a, app=first, tenant=tenant, bootstrap=infra.kafka_bootstrap)
        await m.program()
        for i in range(6):
            skills = ["Python", "Kubernetes", "Go", "SQL", "UX", "Kafka"][i : i + 2]
            await m.member(f"mentor{i}", ["mentor"], **python_mentor(skills=skills))
        for i in range(4):
            goals = [["Python"], ["Go", "SQL"], ["UX"], ["Kafka", "Python"]][i]
            await m.member(f"mentee{i}", ["mentee"], **python_mentee(goals=goals))
        await m.projected(*names)
        await m.program_projected()

        services = [first.state.matching, second.state.matching]

        async def converged() -> bool:
            views = []
            for service in services:
                await service.pools.fresh(tenant, "prog-1")
                views.append(_pool_view(service, tenant))
            return len(views[0]) == 4 and views[0] == views[1]

        await eventually(converged, timeout=150)
        before = _pool_view(services[0], tenant)

        # an edit processed by whichever replica owns its partition reaches both pools
        await m.member("mentee2", ["mentee"], goals=["Kafka"])
        await m.projected("mentee2")

        async def moved() -> bool:
            return await converged() and _pool_view(services[0], tenant) != before

        await eventually(moved, timeout=150)
        asked = await m.ask("mentee1", "mentor1")
        assert asked.status_code == 201, asked.text
        request_id = asked.json()["request_id"]
        await m.settled()
        for service in services:
            await service.writer.flush()
        expected = await m.recommended("mentee2")
        served_by_b = await http_b.get(
            f"/v1/programs/{m.program_id}/recommendations", headers=m.auth("mentee2")
        )
        assert [i["mentor_id"] for i in served_by_b.json()["items"]] == expected
        view = _pool_view(services[0], tenant)

    # restart: a new process on the same database and consumer group
    restarted = create_app(settings)
    async with serve_in_process(restarted) as http:
        m.http, m.app = http, restarted
        assert _pool_view(restarted.state.matching, tenant) == view  # rebuilt at startup
        assert await m.recommended("mentee2") == expected
        accepted = await m.act("mentor1", request_id, "accept")
        assert accepted.status_code == 200, accepted.text
        await m.member("mentor5", ["mentor"], skills=["Kafka", "Python", "Go"])
        await m.wait_recommended("mentee3", lambda ids: ids[:1] == ["m-mentor5"])
