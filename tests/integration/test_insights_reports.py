"""Insights against real Kafka and FerretDB: the platform's events (published the way the
other services publish them) move an admin's reports; the pair's goals and check-ins go
through insights' own event store and come back from its own topics; a replay of the
topics into an emptied read model gives the same reports; nudges go out once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from test_insights_support import (
    NOW,
    ORG,
    Publisher,
    days_ago,
    ended,
    match,
    meeting,
    message,
    profile,
    program,
    requested,
    responded,
)

from chassis.app import build_runtime
from chassis.devtokens import mint_token
from insights.adapters.topic_replay import KafkaTopicReplay
from insights.application.rebuild import RebuildReadModel
from insights.bootstrap import build_buckets, create_app
from insights.entrypoints.consumers import topics_and_names
from insights.settings import InsightsSettings
from testkit.apps import serve_in_process
from testkit.events import eventually, read_topic
from testkit.infra import Infra

pytestmark = pytest.mark.infra

AS_OF = NOW.isoformat()
REPORTS = ("health", "mentorships", "check-ins", "goals")


def auth(tenant: str, user: str, *roles: str, org: str = ORG) -> dict[str, str]:
    token = mint_token(user, tenant, roles=list(roles) or ["member"], organization_id=org)
    return {"Authorization": f"Bearer {token}"}


async def all_reports(http: httpx.AsyncClient, tenant: str, pid: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in REPORTS:
        for fmt in ("json", "csv"):
            r = await http.get(
                f"/v1/programs/{pid}/reports/{name}",
                params={"as_of": AS_OF, "format": fmt},
                headers=auth(tenant, "olga", "org_admin"),
            )
            assert r.status_code == 200, r.text
            out[f"{name}.{fmt}"] = r.json() if fmt == "json" else r.text
    return out


async def test_events_move_reports_and_a_replay_rebuilds_them(
    make_settings: Callable[..., InsightsSettings], infra: Infra, topic_prefix: str, tenant: str
) -> None:
    settings = make_settings(InsightsSettings, nudge_scan_seconds=4)
    pid = f"prog-{uuid.uuid4().hex[:6]}"
    mentors = [f"mentor{i}" for i in range(6)]
    mentees = [f"mentee{i}" for i in range(6)]
    async with Publisher(infra.kafka_bootstrap, topic_prefix) as bus:
        await bus.send(program(tenant, pid), days_ago(60))
        await bus.send(profile(tenant, pid, "adam", ["admin"]), days_ago(60))
        for user in mentors:
            await bus.send(profile(tenant, pid, user, ["mentor"], approved=True), days_ago(50))
        for user in mentees:
            await bus.send(profile(tenant, pid, user, ["mentee"]), days_ago(50))
        # six requests answered after 2 h, accepted; one declined after 10 h
        for i, (mentor, mentee) in enumerate(zip(mentors, mentees, strict=True)):
            rid, mid = f"req-{i}", f"match-{i}"
            await bus.send(requested(tenant, pid, rid, mentee, mentor), days_ago(40))
            await bus.send(
                responded(tenant, pid, rid, mentee, mentor, mid), days_ago(40) + _hours(2)
            )
            await bus.send(match(tenant, pid, mid, mentor, mentee), days_ago(40) + _hours(2))
        await bus.send(requested(tenant, pid, "req-x", "mentee0", "mentor1"), days_ago(39))
        await bus.send(
            responded(tenant, pid, "req-x", "mentee0", "mentor1", None), days_ago(39) + _hours(10)
        )
        # match-0 and match-1 talk every few days; match-2 met once; match-3 ended
        for mid, a, b in (("match-0", "mentor0", "mentee0"), ("match-1", "mentor1", "mentee1")):
            for day in (35, 20, 3):
                await bus.send(message(tenant, pid, mid, b, a, days_ago(day)), days_ago(day))
                await bus.send(message(tenant, pid, mid, a, b, days_ago(day)), days_ago(day))
        booked = meeting(tenant, pid, "match-2", "mentor2", "mentee2", days_ago(5))
        await bus.send(booked, days_ago(10))
        await bus.send(booked, days_ago(10))  # a duplicate on the wire: counted once
        await bus.send(
            ended(tenant, pid, "match-3", "mentor3", "mentee3", "completed"), days_ago(1)
        )
        # match-4: the mentee writes, the mentor stays silent
        await bus.send(
            message(tenant, pid, "match-4", "mentee4", "mentor4", days_ago(2)), days_ago(2)
        )

        app = create_app(settings)
        async with serve_in_process(app) as http:

            async def health() -> dict[str, Any] | None:
                r = await http.get(
                    f"/v1/programs/{pid}/reports/health",
                    params={"as_of": AS_OF},
                    headers=auth(tenant, "olga", "org_admin"),
                )
                body = r.json() if r.status_code == 200 else None
                done = (  # every topic folded (their consumers run side by side)
                    body
                    and body["members"]["total"] == 13
                    and body["requests"]["total"] == 7
                    and body["requests"]["unanswered"] == 0
                    and body["mentorships"]["made"] == 6
                    and body["mentorships"]["ended"] == 1
                    and body["activity"]["messages"] == 13
                    and body["activity"]["meetings_held"] == 1
                )
                return body if done else None

            report = await eventually(health, timeout=60)
            assert report["members"] == {
                "total": 13,
                "mentors": 6,
                "mentees": 6,
                "mentors_approved": 6,
                "mentors_paused": 0,
                "mentor_applications_pending": 0,
            }
            assert report["requests"]["total"] == 7
            assert report["requests"]["accepted"] == 6 and report["requests"]["declined"] == 1
            assert report["requests"]["response_hours_median"] == 2.0
            assert report["requests"]["response_hours_p90"] == 10.0
            ms = report["mentorships"]
            assert (ms["active"], ms["quiet"], ms["inactive"], ms["ended"]) == (4, 0, 1, 1)
            assert ms["mentor_silent"] == 1
            # one ended pair is two people: the breakdown by reason is suppressed
            assert ms["ended_by_reason"] == [{"reason": "completed", "suppressed": True}]
            assert report["activity"]["meetings_held"] == 1

            rows = (
                await http.get(
                    f"/v1/programs/{pid}/reports/mentorships",
                    params={"as_of": AS_OF},
                    headers=auth(tenant, "adam"),
                )
            ).json()["items"]
            by_id = {r["match_id"]: r for r in rows}
            assert by_id["match-5"]["status"] == "inactive"
            assert "no message or meeting for 39 days" in by_id["match-5"]["rule"]
            assert by_id["match-4"]["mentor_silent"] is True
            assert by_id["match-0"]["status"] == "needs_check_in"  # day_30 unanswered
            assert by_id["match-3"]["status"] == "ended"

            # who may read: admins; a mentor of the program 403; another tenant 404
            url = f"/v1/programs/{pid}/reports/health"
            assert (await http.get(url, headers=auth(tenant, "mentor0"))).status_code == 403
            other = await http.get(url, headers=auth("other-tenant", "olga", "org_admin"))
            assert other.status_code == 404
            assert (await http.get(url)).status_code == 401
            # bad input: a clear 422 naming the field, nothing stored
            bad = await http.get(url, params={"format": "xml"}, headers=auth(tenant, "adam"))
            assert bad.status_code == 422 and "format" in bad.text
            rules = await http.put(
                f"/v1/programs/{pid}/health-rules",
                json={"quiet_after_days": 20, "inactive_after_days": 10},
                headers=auth(tenant, "adam"),
            )
            assert rules.status_code == 422 and rules.json()["field"] == "inactive_after_days"
            too_long = await http.post(
                f"/v1/programs/{pid}/mentorships/match-1/goals",
                json={"title": "x" * 201},
                headers=auth(tenant, "mentee1"),
            )
            assert too_long.status_code == 422
            six = await http.post(
                f"/v1/programs/{pid}/mentorships/match-1/check-ins/day_30",
                json={"score": 6},
                headers=auth(tenant, "mentee1"),
            )
            assert six.status_code == 422

            # the pair's goals: only its people write; admins see completion counts
            goals = f"/v1/programs/{pid}/mentorships/match-0/goals"
            body = {"title": "Pass the CKA exam", "due_in_days": 90, "milestones": ["a", "b"]}
            once = {**auth(tenant, "mentee0"), "Idempotency-Key": "goal-1"}
            made = await http.post(goals, json=body, headers=once)
            assert made.status_code == 201, made.text
            retried = await http.post(goals, json=body, headers=once)
            assert retried.json() == made.json()  # the retry created nothing
            assert retried.headers["Idempotent-Replayed"] == "true"
            goal = made.json()["items"][0]
            matched_on = (days_ago(40) + _hours(2)).date()
            assert goal["due_on"] == (matched_on + timedelta(days=90)).isoformat()
            outsider = await http.post(goals, json={"title": "x"}, headers=auth(tenant, "mentee1"))
            assert outsider.status_code == 404
            for milestone in goal["milestones"]:
                done = await http.put(
                    f"{goals}/{goal['goal_id']}/milestones/{milestone['milestone_id']}",
                    json={"done": True},
                    headers=auth(tenant, "mentor0"),
                )
                assert done.status_code == 200, done.text
            assert done.json()["items"][0]["status"] == "completed"

            # check-ins: 5 mentees answer day_30; the group of mentors (1) stays suppressed
            for i in range(5):
                answered = await http.post(
                    f"/v1/programs/{pid}/mentorships/match-{i}/check-ins/day_30",
                    json={"score": 4, "comment": f"=going well {i}", "visibility": "private"},
                    headers=auth(tenant, f"mentee{i}"),
                )
                assert answered.status_code == 201, answered.text
            again = await http.post(
                f"/v1/programs/{pid}/mentorships/match-0/check-ins/day_30",
                json={"score": 1},
                headers=auth(tenant, "mentee0"),
            )
            assert again.status_code == 409
            early = await http.post(
                f"/v1/programs/{pid}/mentorships/match-0/check-ins/day_90",
                json={"score": 3},
                headers=auth(tenant, "mentor0"),
            )
            assert early.status_code == 409
            await http.post(
                f"/v1/programs/{pid}/mentorships/match-0/check-ins/day_30",
                json={"score": 2, "comment": "busy", "visibility": "public"},
                headers=auth(tenant, "mentor0"),
            )
            seen = await http.get(
                f"/v1/programs/{pid}/mentorships/match-0/check-ins", headers=auth(tenant, "mentee0")
            )
            day30 = seen.json()["items"][0]
            assert day30["mine"]["comment"] == "=going well 0"
            assert [p["comment"] for p in day30["public"]] == ["busy"]

            async def check_ins() -> dict[str, Any] | None:
                r = await http.get(
                    f"/v1/programs/{pid}/reports/check-ins",
                    params={"as_of": NOW.replace(year=NOW.year + 1).isoformat()},
                    headers=auth(tenant, "adam"),
                )
                body = r.json()
                return body if body["overall"].get("respondents") == 6 else None

            ci = await eventually(check_ins, timeout=30)
            roles = {row["role"]: row for row in ci["by_role"]}
            assert roles["mentee"]["respondents"] == 5 and roles["mentee"]["mean_score"] == 4.0
            assert roles["mentor"] == {"role": "mentor", "suppressed": True}
            comments = ci["comments_by_round"][0]["comments"]
            assert (
                len(comments) == 6
                and {"score": 2, "visibility": "public", "comment": "busy"} in comments
            )
            csv = await http.get(
                f"/v1/programs/{pid}/reports/check-ins",
                params={"format": "csv", "as_of": NOW.replace(year=NOW.year + 1).isoformat()},
                headers=auth(tenant, "adam"),
            )
            assert csv.headers["content-type"].startswith("text/csv")
            assert "'=going well 0" in csv.text  # no formula reaches a spreadsheet

            async def goal_completion() -> bool:
                r = await http.get(
                    f"/v1/programs/{pid}/reports/goals", headers=auth(tenant, "adam")
                )
                return r.json()["completed"] == 1

            await eventually(goal_completion, timeout=30)

            # nudges: at-risk for the inactive and silent mentorships, once each
            async def nudged() -> list[Any]:
                records = await read_topic(
                    infra.kafka_bootstrap, topic_prefix + "mentorship-at-risk", expect=1, timeout=2
                )
                return [r for r in records if pid.encode() in (r.value or b"")]

            at_risk = await eventually(nudged, timeout=30)
            before = await all_reports(http, tenant, pid)

        records = await read_topic(
            infra.kafka_bootstrap, topic_prefix + "mentorship-at-risk", expect=10_000, timeout=3
        )
        mine = [r for r in records if pid.encode() in (r.value or b"")]
        assert len(mine) == len({r.key for r in mine}) >= len(at_risk)
        reasons = {(r.key, b'"reason":"mentor_silent"' in (r.value or b"")) for r in mine}
        assert (b"match-4", True) in reasons and (b"match-5", False) in reasons

    # drop the read model, replay the topics from offset 0, and compare every report
    client: AsyncMongoClient[Any] = AsyncMongoClient(infra.mongo_url)
    await client.drop_database(settings.reports_db)
    await client.close()
    runtime = build_runtime(settings)
    replay = KafkaTopicReplay(settings, topics_and_names())
    done = await RebuildReadModel(replay=replay, buckets=build_buckets(runtime, settings))()
    await runtime.mongo.close()
    assert done.events > 40
    async with serve_in_process(create_app(settings.model_copy())) as http:
        assert await all_reports(http, tenant, pid) == before


def _hours(n: float) -> timedelta:
    return timedelta(hours=n)
