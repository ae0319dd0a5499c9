"""Programs: create one (org_admin), list those your organization may join, read and change one.

A program's reply carries its version as ``ETag``; a change takes it back as ``If-Match``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal
from chassis.errors import InvalidInput
from chassis.http import (
    Created,
    Cursor,
    ExpectedVersion,
    Limit,
    Page,
    problems,
    set_etag,
)
from profiles.domain.program import Program, ProgramSpec
from profiles.entrypoints.deps import (
    ChangeProgramCase,
    CreateProgramCase,
    Creates,
    ListProgramsCase,
    ViewProgramCase,
)
from profiles.entrypoints.schemas import ProgramOut

router = APIRouter(prefix="/v1", tags=["profiles"])


def program_out(program: Program) -> ProgramOut:
    spec = program.require_spec()
    return ProgramOut(
        **spec.model_dump(),
        program_id=program.program_id,
        organization_id=program.organization_id,
        version=program.version,
        created_by=program.created_by,
        created_at=program.created_at,
    )


def program_doc_out(doc: dict[str, Any]) -> ProgramOut:
    return ProgramOut(
        **doc["spec"],
        program_id=doc["_id"],
        organization_id=doc["organization_id"],
        version=doc["version"],
        created_by=doc.get("created_by"),
        created_at=doc.get("created_at"),
    )


@router.post(
    "/programs",
    status_code=201,
    response_model=ProgramOut,
    summary="Create a program (org_admin)",
    responses=problems(403, 409),
)
async def create_program(
    spec: ProgramSpec,
    principal: CurrentPrincipal,
    create_program: CreateProgramCase,
    once: Creates,
) -> JSONResponse:
    async def create() -> Created:
        program = await create_program(principal, spec)
        return Created(
            program_out(program),
            location=f"/v1/programs/{program.program_id}",
            version=program.version,
        )

    return await once(spec, create)


@router.get(
    "/programs", response_model=Page[ProgramOut], summary="Programs your organization may join"
)
async def list_programs(
    principal: CurrentPrincipal,
    list_visible: ListProgramsCase,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> Page[ProgramOut]:
    docs, next_cursor = await list_visible(principal, cursor, limit)
    return Page(items=[program_doc_out(d) for d in docs], next_cursor=next_cursor)


@router.get(
    "/programs/{program_id}",
    response_model=ProgramOut,
    summary="A program",
    responses=problems(404),
)
async def get_program(
    program_id: str, principal: CurrentPrincipal, view: ViewProgramCase, response: Response
) -> ProgramOut:
    program = await view(principal, program_id)
    set_etag(response, program.version)
    return program_out(program)


@router.patch(
    "/programs/{program_id}",
    response_model=ProgramOut,
    summary="Change a program's settings (If-Match: the ETag you read)",
    responses=problems(403, 404, 409, 412),
)
async def update_program(
    program_id: str,
    principal: CurrentPrincipal,
    change: ChangeProgramCase,
    changes: Annotated[dict[str, Any], Body()],
    response: Response,
    version: ExpectedVersion,
) -> ProgramOut:
    if len(changes) > 30:
        raise InvalidInput("too many settings in one change", field="body")
    program = await change(principal, program_id, changes, version)
    set_etag(response, program.version)
    return program_out(program)
