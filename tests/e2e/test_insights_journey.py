"""Profiles, matching and insights as real processes: a journey through the profiles and
matching APIs (a program, a mentor and a mentee, a request accepted, the mentorship ended)
moves the admin's health report in insights, which never calls them: it only reads the
topics. The pair's messages and meetings are published as the messaging and scheduling
services publish them (their contract events on their topics, by the test's producer).
Then the insights read model is dropped and rebuilt by ``python -m insights.rebuild``
from offset 0, and every report (JSON and CSV) is the same as before."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from chassis.devtokens import mint_token
from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.events import EventPayload, MeetingBookedV1, MessageSentV1
from mentorship_contracts.factory import new_event
from mentorship_contracts.topics import topic_for
from testkit.apps import ServiceProcess, run_services
from testkit.infra import REPO, Infra, storage_profile

pytestmark = pytest.mark.e2e
REPORTS = ("health", "mentorships", "check-ins", "goals")


def env_for(name: str, infra: Infra, prefix: str, run_id: str, db: str) -> dict[str, str]:
    p = name.upper()
    return {
        f"{p}_ENVIRONMENT": "test",
        f"{p}_MONGO_URL": infra.mongo_url,
        f"{p}_MONGO_DB": db,
        f"{p}_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        f"{p}_TOPIC_PREFIX": prefix,
        f"{p}_CONSUMER_GROUP_PREFIX": f"{run_id}.journey.",
        f"{p}_STORAGE_PROFILE": storage_profile(),
    }


@pytest.fixture(scope="module")
def platform(
    infra: Infra, topic_prefix: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, ServiceProcess], dict[str, str]]]:
    envs = {
        name: env_for(
            name,
            infra,
            topic_prefix,
            run_id,
            f"test_e2e_ins_{run_id}_{uuid.uuid4().hex[:6]}_{name}",
        )
        for name in ("profiles", "matching", "insights")
    }
    envs["insights"]["INSIGHTS_NUDGE_SCAN_SECONDS"] = "3600"
    logs = tmp_path_factory.mktemp("insights-journey")
    with run_services(envs, logs, ready_timeout=300) as running:
        yield running, envs["insights"]


def _wait(check: Callable[[], Any], timeout: float = 90.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"{what}: not reached in {timeout}s (last: {last!r})")


def publish(infra: Infra, prefix: str, payloads: list[EventPayload]) -> None:
    """What messaging and scheduling would put on their topics."""
    from aiokafka import AIOKafkaProducer

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            for payload in payloads:
                body, headers = to_kafka(new_event(payload, source="/mentorship/e2e"))
                key = topic_for(payload).key_of(payload).encode()
                await producer.send_and_wait(
                    prefix + payload.TOPIC, body, key=key, headers=list(headers)
                )
        finally:
            await producer.stop()

    asyncio.run(send())


@pytest.mark.timeout(900)
def test_a_journey_moves_the_health_report_and_a_replay_rebuilds_it(
    platform: tuple[dict[str, ServiceProcess], dict[str, str]],
    infra: Infra,
    topic_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    running, insights_env = platform
    profiles, matching = running["profiles"].url, running["matching"].url
    insights = running["insights"].url
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    as_of = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()

    def auth(user: str, *roles: str) -> dict[str, str]:
        token = mint_token(user, tenant, roles=list(roles) or ["member"], organization_id="acme")
        return {"Authorization": f"Bearer {token}"}

    logs = tmp_path_factory.mktemp("insights-restart")
    with httpx.Client(timeout=30) as http:
        made = http.post(
            f"{profiles}/v1/programs",
            json={
                "name": "Data mentoring",
                "requires_mentor_approval": False,
                "default_capacity": 2,
            },
            headers=auth("olga", "org_admin"),
        )
        assert made.status_code == 201, made.text
        pid = made.json()["program_id"]
        for user, roles in (("ada", ["mentor"]), ("sam", ["mentee"])):
            joined = http.post(
                f"{profiles}/v1/programs/{pid}/members",
                json={"roles": roles, "display_name": user.title(), "accepting_mentees": True},
                headers=auth(user),
            )
            assert joined.status_code == 201, joined.text
        ada_id = http.get(f"{profiles}/v1/programs/{pid}/members/me", headers=auth("ada")).json()[
            "member_id"
        ]

        def health() -> dict[str, Any] | None:
            r = http.get(
                f"{insights}/v1/programs/{pid}/reports/health",
                params={"as_of": as_of},
                headers=auth("olga", "org_admin"),
            )
            return r.json() if r.status_code == 200 else None

        report = _wait(lambda: (h := health()) and h["members"]["total"] == 2 and h, what="members")
        assert report["members"]["mentors_approved"] == 1
        assert report["mentorships"]["made"] == 0

        def asked() -> httpx.Response | None:
            r = http.post(
                f"{matching}/v1/programs/{pid}/requests",
                json={"mentor_id": ada_id, "message": "Teach me SQL?"},
                headers=auth("sam"),
            )
            return r if r.status_code == 201 else None

        request = _wait(asked, what="matching knows the mentor").json()
        accepted = http.post(
            f"{matching}/v1/requests/{request['request_id']}/accept", headers=auth("ada")
        )
        assert accepted.status_code == 200, accepted.text
        match_id = accepted.json()["match_id"]
        report = _wait(
            lambda: (h := health()) and h["mentorships"]["made"] == 1 and h, what="match"
        )
        assert report["requests"]["accepted"] == 1
        assert report["requests"]["response_hours_median"] is not None
        assert report["mentorships"]["active"] == 1 and report["activity"]["messages"] == 0

        # the pair talks and meets (messaging's and scheduling's events)
        now = datetime.now(UTC)
        publish(
            infra,
            topic_prefix,
            [
                MessageSentV1(
                    tenant_id=tenant,
                    program_id=pid,
                    conversation_id=f"c-{match_id}",
                    message_id=f"msg-{i}",
                    match_id=match_id,
                    sender_user_id=sender,
                    recipient_user_ids=[to],
                    sent_at=now,
                    length=80,
                )
                for i, (sender, to) in enumerate((("sam", "ada"), ("ada", "sam")))
            ]
            + [
                MeetingBookedV1(
                    tenant_id=tenant,
                    program_id=pid,
                    meeting_id=f"meet-{match_id}",
                    match_id=match_id,
                    mode="one_to_one",
                    organizer_user_id="ada",
                    attendee_user_ids=["sam"],
                    starts_at=now + timedelta(hours=1),
                    ends_at=now + timedelta(hours=2),
                    timezone="UTC",
                )
            ],
        )
        # two topics, two consumers: wait for both folds (each arrives in its own time)
        report = _wait(
            lambda: (
                (h := health())
                and h["activity"]["meetings_held"] == 1
                and h["activity"]["messages"] == 2
                and h
            ),
            what="a reply and a meeting",
        )

        # the mentee ends it through matching
        end = http.post(
            f"{matching}/v1/matches/{match_id}/end",
            json={"reason": "completed"},
            headers=auth("sam"),
        )
        assert end.status_code == 200, end.text
        report = _wait(lambda: (h := health()) and h["mentorships"]["ended"] == 1 and h, what="end")
        assert report["mentorships"]["ended_by_reason"] == [
            {"reason": "completed", "suppressed": True}  # two people: under five
        ]

        url = f"{insights}/v1/programs/{pid}/reports/health"
        assert http.get(url, headers=auth("sam")).status_code == 403
        other = mint_token("olga", "another-tenant", roles=["org_admin"], organization_id="acme")
        assert http.get(url, headers={"Authorization": f"Bearer {other}"}).status_code == 404
        before = reports(http, insights, pid, as_of, auth("olga", "org_admin"))

        # stop insights, drop its read model and replay the topics from offset 0
        running["insights"].process.terminate()
        running["insights"].process.wait(timeout=30)
        with MongoClient(infra.mongo_url) as mongo:
            mongo.drop_database(insights_env["INSIGHTS_MONGO_DB"] + "_reports")
        rebuilt = subprocess.run(
            [sys.executable, "-m", "insights.rebuild"],
            env={**os.environ, **insights_env},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
        assert "replayed" in rebuilt.stdout
        with run_services({"insights": insights_env}, logs, ready_timeout=300) as second:
            after = reports(http, second["insights"].url, pid, as_of, auth("olga", "org_admin"))
        assert after == before


def reports(
    http: httpx.Client, url: str, pid: str, as_of: str, headers: dict[str, str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in REPORTS:
        for fmt in ("json", "csv"):
            r = http.get(
                f"{url}/v1/programs/{pid}/reports/{name}",
                params={"as_of": as_of, "format": fmt},
                headers=headers,
            )
            assert r.status_code == 200, r.text
            out[f"{name}.{fmt}"] = r.json() if fmt == "json" else r.text
    return out
