"""Becoming a member: joining a program yourself, an admin adding one person, or an admin
importing many from CSV or JSON.

The import is the one route whose body may exceed the default cap: it declares
``PROFILES_MAX_IMPORT_BODY_BYTES`` with :func:`chassis.limits.larger_body`, and checks each
row on its own so one bad row does not refuse the rest.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal
from chassis.errors import InvalidInput
from chassis.http import Created, problems
from chassis.limits import larger_body, parse_json_body
from profiles.application.imports import parse_csv_rows, parse_json_rows
from profiles.entrypoints.deps import (
    Creates,
    ImportMembersCase,
    InviteMemberCase,
    JoinProgramCase,
)
from profiles.entrypoints.routes.members import member_out
from profiles.entrypoints.schemas import ImportReport, InviteRequest, JoinRequest, MemberOut

router = APIRouter(prefix="/v1", tags=["profiles"])


@router.post(
    "/programs/{program_id}/members",
    status_code=201,
    response_model=MemberOut,
    summary="Join a program (as mentee and/or mentor)",
    responses=problems(404, 409),
)
async def join_program(
    program_id: str,
    body: JoinRequest,
    principal: CurrentPrincipal,
    join: JoinProgramCase,
    once: Creates,
) -> JSONResponse:
    async def create() -> Created:
        member, program = await join(
            principal,
            program_id,
            roles=list(body.roles),
            fields=body.profile_fields(),
            custom=body.custom_fields,
            visibility=dict(body.visibility),
        )
        return Created(
            member_out(member, program, "self", 0),
            location=f"/v1/programs/{program_id}/members/me",
            version=member.version,
        )

    return await once(body, create)


@router.post(
    "/programs/{program_id}/invitations",
    status_code=201,
    response_model=MemberOut,
    summary="Add a person to the program (admin)",
    responses=problems(403, 404, 409),
)
async def invite_member(
    program_id: str,
    body: InviteRequest,
    principal: CurrentPrincipal,
    invite: InviteMemberCase,
    once: Creates,
) -> JSONResponse:
    async def create() -> Created:
        member, program = await invite(
            principal,
            program_id,
            user_id=body.user_id,
            organization_id=body.organization_id,
            roles=list(body.roles),
            fields=body.profile_fields(),
            custom=body.custom_fields,
        )
        return Created(member_out(member, program, "admin", 0), version=member.version)

    return await once(body, create)


@router.post(
    "/programs/{program_id}/members/import",
    response_model=ImportReport,
    summary="Bulk-add members from CSV (text/csv) or JSON (admin)",
    description="CSV: a header line with user_id and any of the profile fields (lists "
    "separated by ';', custom fields as custom.<key>), UTF-8. JSON: {\"members\": [...]}. "
    "Each row is checked on its own; the report says which rows were rejected and why. "
    "The body may be as large as PROFILES_MAX_IMPORT_BODY_BYTES (x-max-body-bytes).",
    responses=problems(403, 404),
    openapi_extra={
        **larger_body("max_import_body_bytes"),
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            }
        },
    },
)
async def import_members(
    program_id: str,
    request: Request,
    principal: CurrentPrincipal,
    import_rows: ImportMembersCase,
    dry_run: bool = False,
) -> ImportReport:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type in ("text/csv", "application/csv", "text/plain"):
        rows = parse_csv_rows(body)
    elif content_type == "application/json":
        rows = parse_json_rows(parse_json_body(body))
    else:
        raise InvalidInput("send text/csv or application/json (Content-Type)", field="Content-Type")
    report = await import_rows(principal, program_id, rows, dry_run=dry_run)
    return ImportReport(**report)
