"""Two scheduling replicas as real uvicorn processes, one database: 100 concurrent requests
for one slot make exactly one meeting and 99 clear 409s; a day limit holds the same way."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from chassis.devtokens import mint_token
from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.events.base import Participant
from mentorship_contracts.events.matching import MatchMadeV1
from mentorship_contracts.factory import new_event
from mentorship_contracts.topics import topic_name
from testkit import bearer
from testkit.apps import ServiceProcess, run_services
from testkit.infra import Infra, storage_profile

pytestmark = pytest.mark.e2e
ALWAYS = [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "24:00"}]


@pytest.fixture(scope="module")
def replicas(
    infra: Infra, topic_prefix: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[ServiceProcess]]:
    env = {
        "SCHEDULING_ENVIRONMENT": "test",
        "SCHEDULING_MONGO_URL": infra.mongo_url,
        "SCHEDULING_MONGO_DB": f"test_e2e_{run_id}_scheduling_replicas",
        "SCHEDULING_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "SCHEDULING_TOPIC_PREFIX": topic_prefix,
        "SCHEDULING_CONSUMER_GROUP_PREFIX": f"{run_id}.replicas.",
        "SCHEDULING_STORAGE_PROFILE": storage_profile(),
    }
    with (
        run_services({"scheduling": env}, tmp_path_factory.mktemp("replica-a")) as a,
        run_services({"scheduling": env}, tmp_path_factory.mktemp("replica-b")) as b,
    ):
        yield [a["scheduling"], b["scheduling"]]


async def _match(bootstrap: str, prefix: str, tenant: str, mentor: str, mentee: str) -> str:
    match_id = f"match-{uuid.uuid4().hex[:8]}"
    payload = MatchMadeV1(
        tenant_id=tenant,
        match_id=match_id,
        program_id="prog-1",
        mode="one_to_one",
        mentor=Participant(member_id=f"m-{mentor}", user_id=mentor),
        mentees=[Participant(member_id=f"m-{mentee}", user_id=mentee)],
        origin="request",
    )
    body, headers = to_kafka(new_event(payload, source="/tests", subject=match_id))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic_name("match-made", prefix=prefix), body, key=match_id.encode(), headers=headers
        )
    finally:
        await producer.stop()
    return match_id


def _slot(days: int, hour: int) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def _setup(
    replicas: list[ServiceProcess], infra: Infra, prefix: str, **rules: Any
) -> tuple[dict[str, str], str]:
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    mentor, mentee = "mentor-r", "mentee-r"
    mentee_auth = bearer(mint_token(mentee, tenant, roles=["member"]))
    async with httpx.AsyncClient(base_url=replicas[0].url, timeout=30) as http:
        put = await http.put(
            "/v1/me/availability",
            json={"timezone": "Europe/Berlin", "rules": ALWAYS, **rules},
            headers=bearer(mint_token(mentor, tenant, roles=["member"])),
        )
        assert put.status_code == 200, put.text
        match_id = await _match(infra.kafka_bootstrap, prefix, tenant, mentor, mentee)
        deadline = time.monotonic() + 60
        while True:  # both replicas read the same database: either one knows the match
            slots = await http.get(f"/v1/matches/{match_id}/slots?days=1", headers=mentee_auth)
            if slots.status_code == 200:
                break
            assert time.monotonic() < deadline, slots.text
            await asyncio.sleep(0.3)
    return mentee_auth, match_id


async def _burst(
    replicas: list[ServiceProcess], auth: dict[str, str], match_id: str, starts: list[datetime]
) -> list[httpx.Response]:
    clients = [httpx.AsyncClient(base_url=r.url, timeout=60) for r in replicas]
    try:
        requests = [
            clients[i % 2].post(
                f"/v1/matches/{match_id}/meetings",
                json={"starts_at": s.isoformat(), "duration_minutes": 60, "title": f"try {i}"},
                headers=auth,
            )
            for i, s in enumerate(starts)
        ]
        return list(await asyncio.gather(*requests))
    finally:
        for client in clients:
            await client.aclose()


async def test_one_slot_one_meeting_across_two_replicas(
    replicas: list[ServiceProcess], infra: Infra, topic_prefix: str
) -> None:
    auth, match_id = await _setup(replicas, infra, topic_prefix)
    start = _slot(3, 9)
    answers = await _burst(replicas, auth, match_id, [start] * 100)
    codes = Counter(r.status_code for r in answers)
    assert codes == {201: 1, 409: 99}, codes
    for r in answers:
        if r.status_code == 409:
            assert r.headers["content-type"].startswith("application/problem+json")
            assert "booked" in r.json()["detail"] or "another meeting" in r.json()["detail"]
    async with httpx.AsyncClient(base_url=replicas[1].url) as http:
        mine = (await http.get("/v1/me/meetings?days=10", headers=auth)).json()
    assert [m["starts_at"] for m in mine] == [start.isoformat().replace("+00:00", "Z")]

    # overlapping, not identical: 40 requests at quarter-hour offsets within one hour
    later = _slot(4, 9)
    shifted = [later + timedelta(minutes=15 * (i % 4)) for i in range(40)]
    answers = await _burst(replicas, auth, match_id, shifted)
    assert Counter(r.status_code for r in answers)[201] == 1


async def test_a_day_limit_holds_under_concurrency(
    replicas: list[ServiceProcess], infra: Infra, topic_prefix: str
) -> None:
    auth, match_id = await _setup(replicas, infra, topic_prefix, max_per_day=2)
    day = _slot(5, 6)
    starts = [day + timedelta(hours=2 * i) for i in range(8)]  # 8 distinct, non-overlapping
    answers = await _burst(replicas, auth, match_id, starts * 3)
    codes = Counter(r.status_code for r in answers)
    assert codes[201] == 2 and codes[409] == 22, codes
