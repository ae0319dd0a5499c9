"""Program reports for admins (JSON or ``?format=csv``) and the program's health rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError

from chassis.auth import CurrentPrincipal
from chassis.errors import InvalidInput
from chassis.http import problems
from insights.domain.rules import HealthRules
from insights.entrypoints import csv_export
from insights.entrypoints.deps import AsOf, Format, IdPath, RenderedAnswers, Service
from insights.entrypoints.rendering import Rendered
from insights.entrypoints.report_schemas import (
    CheckInsReport,
    GoalsReport,
    HealthReport,
    MentorshipsReport,
)
from insights.entrypoints.schemas import RulesIn, RulesOut

router = APIRouter(prefix="/v1", tags=["insights"])
ADMIN_ONLY = problems(401, 403, 404, 422)


def documented(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """The documented answers: the report's JSON schema (``model``), or CSV with
    ``?format=csv``. The model is documentation only: the answer is the rendered bytes."""
    return {
        **ADMIN_ONLY,
        200: {
            "model": model,
            "content": {"text/csv": {}},
            "description": "The report (CSV with ?format=csv).",
        },
    }


def _answer(
    report: dict[str, Any], fmt: str, name: str, rendered: Rendered, rows: str | None = None
) -> Response:
    if fmt != "csv":
        body = rendered.get(report, "json", lambda: bytes(JSONResponse(report).body))
        return Response(body, media_type="application/json")

    def csv() -> bytes:
        text = csv_export.table(report[rows]) if rows else csv_export.metrics(report)
        return text.encode()

    return Response(
        rendered.get(report, f"csv:{rows}", csv),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(
    "/programs/{program_id}/reports/health",
    summary="Program health: members, requests, mentorships by activity and status, meetings, "
    "goals, check-in scores (k-anonymous)",
    responses=documented(HealthReport),
)
async def health_report(
    program_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    rendered: RenderedAnswers,
    as_of: AsOf = None,
    format: Format = "json",
) -> Response:
    report = await service.reports.health(principal, program_id, as_of)
    return _answer(report, format, f"health-{program_id}", rendered)


@router.get(
    "/programs/{program_id}/reports/mentorships",
    summary="Each mentorship's health status with the rule that set it, and its activity counts",
    responses=documented(MentorshipsReport),
)
async def mentorships_report(
    program_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    rendered: RenderedAnswers,
    as_of: AsOf = None,
    format: Format = "json",
) -> Response:
    report = await service.reports.mentorships(principal, program_id, as_of)
    return _answer(report, format, f"mentorships-{program_id}", rendered, rows="items")


@router.get(
    "/programs/{program_id}/reports/check-ins",
    summary="Check-in scores over time, by round and role, and comments per round (groups "
    "under five people suppressed)",
    responses=documented(CheckInsReport),
)
async def check_ins_report(
    program_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    rendered: RenderedAnswers,
    as_of: AsOf = None,
    format: Format = "json",
) -> Response:
    report = await service.reports.check_ins(principal, program_id, as_of)
    return _answer(report, format, f"check-ins-{program_id}", rendered)


@router.get(
    "/programs/{program_id}/reports/goals",
    summary="Goal completion per mentorship (counts, never the goals' words)",
    responses=documented(GoalsReport),
)
async def goals_report(
    program_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    rendered: RenderedAnswers,
    as_of: AsOf = None,
    format: Format = "json",
) -> Response:
    report = await service.reports.goals(principal, program_id, as_of)
    return _answer(report, format, f"goals-{program_id}", rendered, rows="mentorships")


@router.get(
    "/programs/{program_id}/health-rules",
    response_model=RulesOut,
    summary="When a mentorship counts as quiet or inactive, and when check-ins fall due",
    responses=ADMIN_ONLY,
)
async def get_rules(program_id: IdPath, principal: CurrentPrincipal, service: Service) -> Any:
    return await service.rules.get(principal, program_id)


@router.put(
    "/programs/{program_id}/health-rules",
    response_model=RulesOut,
    summary="Set the program's health rules",
    responses=ADMIN_ONLY,
)
async def put_rules(
    program_id: IdPath, body: RulesIn, principal: CurrentPrincipal, service: Service
) -> Any:
    try:
        rules = HealthRules(**body.model_dump())
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise InvalidInput(message, field="inactive_after_days") from exc
    return await service.rules.set(principal, program_id, rules)
