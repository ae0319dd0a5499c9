"""Insights on real Kafka and FerretDB: the four reports' JSON, made from real events and
answered over HTTP, is what the OpenAPI document's report models say, field for field
(the models forbid extra fields, so a field added to a report and not to its model
fails here). The program has both sides of each k-anonymous group (ended pairs by
reason, check-in scores before and after six people answered) and nullable fields
both null (an empty program) and set."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from pydantic import BaseModel
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

from chassis.devtokens import mint_token
from insights.bootstrap import create_app
from insights.entrypoints.report_schemas import (
    CheckInsReport,
    EndedCount,
    EndedSuppressed,
    GoalsReport,
    HealthReport,
    MentorshipsReport,
    RoleSuppressed,
    RoundScores,
    Scores,
    Suppressed,
)
from insights.settings import InsightsSettings
from testkit.apps import serve_in_process
from testkit.events import eventually
from testkit.infra import Infra

pytestmark = pytest.mark.infra

MODELS: dict[str, type[BaseModel]] = {
    "health": HealthReport,
    "mentorships": MentorshipsReport,
    "check-ins": CheckInsReport,
    "goals": GoalsReport,
}
LATER = NOW.replace(year=NOW.year + 1)  # after the check-ins answered during the test


def auth(tenant: str, user: str, *roles: str) -> dict[str, str]:
    token = mint_token(user, tenant, roles=list(roles) or ["member"], organization_id=ORG)
    return {"Authorization": f"Bearer {token}"}


async def validated(
    http: httpx.AsyncClient, tenant: str, pid: str, name: str, as_of: str
) -> BaseModel:
    """The report's JSON as answered, validated strictly by its documented model."""
    r = await http.get(
        f"/v1/programs/{pid}/reports/{name}",
        params={"as_of": as_of},
        headers=auth(tenant, "olga", "org_admin"),
    )
    assert r.status_code == 200, r.text
    return MODELS[name].model_validate_json(r.content, strict=True)


async def test_the_reports_json_is_what_their_models_say(
    make_settings: Callable[..., InsightsSettings], infra: Infra, topic_prefix: str, tenant: str
) -> None:
    settings = make_settings(InsightsSettings)
    pid, empty = f"prog-{uuid.uuid4().hex[:6]}", f"empty-{uuid.uuid4().hex[:6]}"
    pairs = [(f"mentor{i}", f"mentee{i}", f"match-{i}") for i in range(7)]
    async with Publisher(infra.kafka_bootstrap, topic_prefix) as bus:
        await bus.send(program(tenant, empty), days_ago(60))
        await bus.send(program(tenant, pid), days_ago(60))
        for mentor, mentee, mid in pairs:
            await bus.send(profile(tenant, pid, mentor, ["mentor"], approved=True), days_ago(50))
            await bus.send(profile(tenant, pid, mentee, ["mentee"]), days_ago(50))
            rid = f"req-{mid}"
            await bus.send(requested(tenant, pid, rid, mentee, mentor), days_ago(41))
            await bus.send(responded(tenant, pid, rid, mentee, mentor, mid), days_ago(40))
            await bus.send(match(tenant, pid, mid, mentor, mentee), days_ago(40))
        # three pairs (six people) ended completed: counted; one (two people) rematched: hidden
        for mentor, mentee, mid in pairs[3:6]:
            await bus.send(ended(tenant, pid, mid, mentor, mentee, "completed"), days_ago(2))
        await bus.send(
            ended(tenant, pid, "match-6", "mentor6", "mentee6", "rematched"), days_ago(1)
        )
        for sender, to in (("mentee0", "mentor0"), ("mentor0", "mentee0")):
            await bus.send(message(tenant, pid, "match-0", sender, to, days_ago(3)), days_ago(3))
        booked = meeting(tenant, pid, "match-1", "mentor1", "mentee1", days_ago(5))
        await bus.send(booked, days_ago(10))

        async with serve_in_process(create_app(settings)) as http:

            async def folded() -> HealthReport | None:
                known = await http.get(
                    f"/v1/programs/{empty}/reports/health",
                    headers=auth(tenant, "olga", "org_admin"),
                )
                r = await http.get(
                    f"/v1/programs/{pid}/reports/health",
                    params={"as_of": NOW.isoformat()},
                    headers=auth(tenant, "olga", "org_admin"),
                )
                if known.status_code != 200 or r.status_code != 200:
                    return None
                h = HealthReport.model_validate_json(r.content, strict=True)
                done = (h.members.total, h.requests.accepted, h.mentorships.made) == (14, 7, 7)
                done = done and h.mentorships.ended == 4 and h.activity.messages == 2
                return h if done and h.activity.meetings_held == 1 else None

            await eventually(folded, timeout=60)
            goal = await http.post(
                f"/v1/programs/{pid}/mentorships/match-0/goals",
                json={"title": "Pass the CKA exam", "due_in_days": 90},
                headers={**auth(tenant, "mentee0"), "Idempotency-Key": uuid.uuid4().hex},
            )
            assert goal.status_code == 201, goal.text
            for i, (mentor, mentee, mid) in enumerate(pairs[:3]):
                for who, score in ((mentor, 3), (mentee, 4)):
                    answered = await http.post(
                        f"/v1/programs/{pid}/mentorships/{mid}/check-ins/day_30",
                        json={"score": score, "comment": f"fine {i}", "visibility": "private"},
                        headers=auth(tenant, who),
                    )
                    assert answered.status_code == 201, answered.text

            async def answers_folded() -> bool:
                ci = await validated(http, tenant, pid, "check-ins", LATER.isoformat())
                goals = await validated(http, tenant, pid, "goals", NOW.isoformat())
                assert isinstance(ci, CheckInsReport) and isinstance(goals, GoalsReport)
                return isinstance(ci.overall, Scores) and goals.goals == 1

            await eventually(answers_folded, timeout=60)

            now = {n: await validated(http, tenant, pid, n, NOW.isoformat()) for n in MODELS}
            later = {n: await validated(http, tenant, pid, n, LATER.isoformat()) for n in MODELS}
            nothing = {n: await validated(http, tenant, empty, n, NOW.isoformat()) for n in MODELS}

    health, rows = now["health"], now["mentorships"]
    assert isinstance(health, HealthReport) and isinstance(rows, MentorshipsReport)
    assert {type(r) for r in health.mentorships.ended_by_reason} == {EndedCount, EndedSuppressed}
    assert isinstance(health.check_ins, Suppressed)  # nobody had answered by NOW
    assert health.requests.response_hours_median == 24.0
    assert health.goals.completion_rate == 0.0
    by_id = {row.match_id: row for row in rows.items}
    assert by_id["match-3"].ended_at is not None and by_id["match-3"].end_reason == "completed"
    assert by_id["match-0"].ended_at is None and by_id["match-0"].end_reason is None
    goals = now["goals"]
    assert isinstance(goals, GoalsReport) and [g.match_id for g in goals.mentorships] == ["match-0"]

    late_health, check_ins = later["health"], later["check-ins"]
    assert isinstance(late_health, HealthReport) and isinstance(check_ins, CheckInsReport)
    assert isinstance(late_health.check_ins, Scores) and late_health.check_ins.respondents == 6
    assert [type(r) for r in check_ins.by_round] == [RoundScores]
    assert {type(r) for r in check_ins.by_role} == {RoleSuppressed}  # three of each role
    assert sorted(c.comment for c in check_ins.comments_by_round[0].comments) == [
        f"fine {i}" for i in (0, 0, 1, 1, 2, 2)
    ]

    blank = nothing["health"]
    assert isinstance(blank, HealthReport) and blank.program_name == "Cloud mentoring"
    assert blank.requests.response_hours_median is None and blank.goals.completion_rate is None
    assert blank.goals.mean_progress_percent is None and isinstance(blank.check_ins, Suppressed)
    blank_goals = nothing["goals"]
    assert isinstance(blank_goals, GoalsReport) and blank_goals.completion_rate is None
