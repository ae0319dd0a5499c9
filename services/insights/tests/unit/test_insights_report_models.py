"""The report models say what the reports answer: the OpenAPI document names them for the
four report routes, and the reports of random programs, rendered as the routes render
them, validate against them strictly, with no field the models do not name (pure: the
use case on in-memory fakes; tests/integration/test_insights_report_schemas.py does the
same on the real stack)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from test_insights_report_parts import T0, program, whole
from test_insights_use_cases import FakeBuckets, FakeRepository, principal

from insights.application.access import Access
from insights.application.reports import Reports
from insights.bootstrap import create_app
from insights.domain.check_ins import CheckInAnswer, CheckInAnswered
from insights.domain.projection import Target
from insights.domain.rules import DAY, ProgramRules
from insights.entrypoints.report_schemas import (
    CheckInsReport,
    EndedCount,
    GoalsReport,
    HealthReport,
    MentorshipsReport,
    MonthScores,
    MonthSuppressed,
    RoleScores,
    RoleSuppressed,
    Scores,
    Suppressed,
)

MODELS: dict[str, type[BaseModel]] = {
    "health": HealthReport,
    "mentorships": MentorshipsReport,
    "check-ins": CheckInsReport,
    "goals": GoalsReport,
}


def test_the_openapi_document_names_each_reports_model_beside_its_csv() -> None:
    doc = create_app().openapi()
    for name, model in MODELS.items():
        ok = doc["paths"][f"/v1/programs/{{program_id}}/reports/{name}"]["get"]["responses"]
        content = ok["200"]["content"]
        assert content["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{model.__name__}"
        }
        assert "text/csv" in content
        schema = doc["components"]["schemas"][model.__name__]
        assert schema["additionalProperties"] is False
        assert set(schema["required"]) == set(model.model_fields)  # all always present


def reports_of(seed: int) -> Reports:
    """The use case over a random program (members, requests, mentorships with meetings,
    goals and check-in answers, some with comments), in buckets as the projector keeps them."""
    ids, read = program(random.Random(seed), 1)
    state = whole(ids, read)
    buckets = FakeBuckets()
    buckets.put(Target("t", "p", "program", "config"), {"name": "P", "org": "org"})
    answers = FakeRepository(CheckInAnswer)
    for kind in ("members", "applications", "requests", "mentorships"):
        for key, entry in getattr(state, kind).items():
            buckets.put(Target("t", "p", kind, key), entry)
    for match_id, m in state.mentorships.items():
        for n, (round_, role, user, score, visibility, at, commented) in enumerate(
            m["answers"].values()
        ):
            if not commented:
                continue
            answer = CheckInAnswer(CheckInAnswer.stream_of("t", match_id, round_, user))
            answer.answer_with(
                CheckInAnswered(
                    tenant_id="t",
                    program_id="p",
                    match_id=match_id,
                    round=round_,
                    user_id=user,
                    role=role,
                    score=score,
                    comment=f"=comment {n}",
                    visibility=visibility,
                    answered_at=datetime.fromtimestamp(at, UTC),
                )
            )
            answers.saved[answer.stream_id] = answer
    reports = Reports(
        buckets=buckets,
        access=Access(buckets),
        rules=FakeRepository(ProgramRules),
        answers=answers,
        clock=lambda: datetime.fromtimestamp(T0, UTC),
    )
    return reports


async def test_the_reports_of_random_programs_are_what_the_models_say() -> None:
    seen: set[type[BaseModel]] = set()
    comments = 0
    admin = principal("olga", "org_admin")
    for seed in range(3):
        reports = reports_of(seed)
        for days in (0, 20, 45, 90, 200, 400):
            as_of = datetime.fromtimestamp(T0 + days * DAY, UTC)
            answered = {
                "health": await reports.health(admin, "p", as_of),
                "mentorships": await reports.mentorships(admin, "p", as_of),
                "check-ins": await reports.check_ins(admin, "p", as_of),
                "goals": await reports.goals(admin, "p", as_of),
            }
            for name, report in answered.items():
                body = bytes(JSONResponse(report).body)  # what the route answers
                valid = MODELS[name].model_validate_json(body, strict=True)
                if isinstance(valid, CheckInsReport):
                    seen |= {type(valid.overall), *map(type, [*valid.by_month, *valid.by_role])}
                    comments += sum(len(r.comments) for r in valid.comments_by_round)
                if isinstance(valid, HealthReport):
                    seen |= {type(r) for r in valid.mentorships.ended_by_reason}
    # both sides of each k-anonymous union occurred
    assert {Scores, Suppressed, MonthScores, MonthSuppressed, RoleScores, RoleSuppressed} <= seen
    assert EndedCount in seen and comments > 0


async def test_a_field_the_models_do_not_name_fails() -> None:
    reports = reports_of(0)
    report = await reports.goals(principal("olga", "org_admin"), "p", None)
    body = bytes(JSONResponse({**report, "median_goals": 2}).body)
    with pytest.raises(ValidationError) as failed:
        GoalsReport.model_validate_json(body, strict=True)
    assert [e["type"] for e in failed.value.errors()] == ["extra_forbidden"]
