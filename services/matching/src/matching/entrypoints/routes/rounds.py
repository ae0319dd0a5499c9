"""Bulk matching rounds (admins, formal programs): open and run, re-run, read, publish."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal
from chassis.http import problems
from matching.entrypoints.deps import Creates, IdPath, Service, create_as
from matching.entrypoints.schemas.rounds import (
    Publish,
    PublishOut,
    RoundInput,
    RoundList,
    RoundOut,
    RunOut,
)

router = APIRouter(prefix="/v1", tags=["matching"])


@router.post(
    "/programs/{program_id}/rounds",
    status_code=201,
    response_model=RunOut,
    summary="Open a bulk matching round and run it (admins, formal programs)",
    responses=problems(403, 404, 409),
)
async def open_round(
    program_id: IdPath,
    body: RoundInput,
    principal: CurrentPrincipal,
    service: Service,
    once: Creates,
) -> JSONResponse:
    return await create_as(
        once,
        body,
        RunOut,
        lambda: service.rounds.open_round(
            principal, program_id, pinned=body.pinned_pairs(), forbidden=body.forbidden_pairs()
        ),
        location=lambda r: f"/v1/programs/{program_id}/rounds/{r.round_id}",
    )


@router.get(
    "/programs/{program_id}/rounds",
    response_model=RoundList,
    summary="The program's matching rounds (admins)",
    responses=problems(403, 404, 409),
)
async def list_rounds(
    program_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return {"items": await service.rounds.list_rounds(principal, program_id)}


@router.get(
    "/programs/{program_id}/rounds/{round_id}",
    response_model=RoundOut,
    summary="A round and its runs (admins)",
    responses=problems(403, 404, 409),
)
async def get_round(
    program_id: IdPath, round_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.rounds.get_round(principal, program_id, round_id)


@router.post(
    "/programs/{program_id}/rounds/{round_id}/runs",
    status_code=201,
    response_model=RunOut,
    summary="Run the round again, with new pins and vetoes (admins)",
    responses=problems(403, 404, 409),
)
async def rerun_round(
    program_id: IdPath,
    round_id: IdPath,
    body: RoundInput,
    principal: CurrentPrincipal,
    service: Service,
    once: Creates,
) -> JSONResponse:
    return await create_as(
        once,
        body,
        RunOut,
        lambda: service.rounds.rerun(
            principal,
            program_id,
            round_id,
            pinned=body.pinned_pairs(),
            forbidden=body.forbidden_pairs(),
        ),
        location=lambda r: f"/v1/programs/{program_id}/rounds/{round_id}/runs/{r.run}",
    )


@router.get(
    "/programs/{program_id}/rounds/{round_id}/runs/{run}",
    response_model=RunOut,
    summary="One run: its inputs, pairs with explanations, unmatched mentees with reasons",
    responses=problems(403, 404, 409),
)
async def get_run(
    program_id: IdPath,
    round_id: IdPath,
    run: Annotated[int, Path(ge=1, le=10_000)],
    principal: CurrentPrincipal,
    service: Service,
) -> dict[str, Any]:
    return await service.rounds.get_run(principal, program_id, round_id, run)


@router.post(
    "/programs/{program_id}/rounds/{round_id}/publish",
    response_model=PublishOut,
    summary="Publish a run: every pair becomes a mentorship (admins)",
    responses=problems(403, 404, 409),
)
async def publish_round(
    program_id: IdPath,
    round_id: IdPath,
    body: Publish,
    principal: CurrentPrincipal,
    service: Service,
) -> dict[str, Any]:
    return await service.rounds.publish(principal, program_id, round_id, run=body.run)
