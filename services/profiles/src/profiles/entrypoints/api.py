"""HTTP API of the profiles service under ``/v1``: parse, call the service, shape the reply."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from chassis.auth import CurrentPrincipal, Principal
from chassis.errors import InvalidInput, Problem
from chassis.limits import parse_json_body
from profiles.adapters.search_index import SearchFilters
from profiles.application.imports import parse_csv_rows, parse_json_rows
from profiles.application.service import ProfilesService
from profiles.domain.member import Member, Viewer
from profiles.domain.program import Program, ProgramSpec
from profiles.entrypoints.schemas import (
    ApplicationOut,
    ApplicationRequest,
    DecisionRequest,
    ImportReport,
    InviteRequest,
    JoinRequest,
    MemberOut,
    MemberPage,
    MemberSummary,
    ProfileInput,
    ProgramOut,
    ProgramPage,
    RolesRequest,
    SearchPageOut,
)

router = APIRouter(prefix="/v1", tags=["profiles"])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=300)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retrying a create with the same key returns the first response.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=100, description="The ETag (version) you edit."),
]


class PreconditionRequired(Problem):
    status, title = 428, "Precondition required"


def get_service(request: Request) -> ProfilesService:
    service: ProfilesService = request.app.state.profiles
    return service


Service = Annotated[ProfilesService, Depends(get_service)]


class Me(BaseModel):
    user_id: str
    tenant_id: str
    organization_id: str
    roles: list[str]


@router.get("/me", summary="Who the bearer token says you are")
async def me(principal: CurrentPrincipal) -> Me:
    return Me(
        user_id=principal.user_id,
        tenant_id=principal.tenant_id,
        organization_id=principal.organization_id,
        roles=sorted(principal.roles),
    )


# --- helpers ---------------------------------------------------------------------------------


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None, *, required: bool) -> int | None:
    if value is None or value.strip() == "*":
        if required:
            raise PreconditionRequired(
                "send If-Match with the ETag from your last GET (edits never overwrite blindly)",
                field="If-Match",
            )
        return None
    raw = value.strip()
    raw = raw[2:] if raw.startswith("W/") else raw
    raw = raw.strip('"')
    if not (raw.isascii() and raw.isdigit()):  # str.isdigit() also takes "²", int() does not
        raise InvalidInput(f"If-Match {value!r} is not an ETag of this API", field="If-Match")
    return int(raw)


def program_out(program: Program) -> dict[str, Any]:
    spec = program.require_spec()
    return ProgramOut(
        **spec.model_dump(),
        program_id=program.program_id,
        organization_id=program.organization_id,
        version=program.version,
        created_by=program.created_by,
        created_at=program.created_at,
    ).model_dump(mode="json")


def program_doc_out(doc: dict[str, Any]) -> ProgramOut:
    return ProgramOut(
        **doc["spec"],
        program_id=doc["_id"],
        organization_id=doc["organization_id"],
        version=doc["version"],
        created_by=doc.get("created_by"),
        created_at=doc.get("created_at"),
    )


def member_out(
    member: Member, program: Program, viewer: Viewer, load: int | None = None
) -> dict[str, Any]:
    app = member.current_application()
    out = MemberOut(
        member_id=member.member_id,
        program_id=member.program_id,
        user_id=member.user_id,
        organization_id=member.organization_id,
        status=member.status,
        roles=member.roles,
        mentor_approved=member.mentor_approved,
        joined_at=member.joined_at,
        version=member.version,
        viewer=viewer,
        profile=member.fields_for(viewer, program) if member.active else {},
        visibility=dict(member.visibility) if viewer == "self" else None,
        application=(
            {k: v for k, v in app.items() if k not in ("answers", "decided_by")}
            if app is not None and viewer in ("self", "admin")
            else None
        ),
        current_load=load if "mentor" in member.roles else None,
        missing_required=member.missing_required(program) if viewer == "self" else None,
    )
    return out.model_dump(mode="json")


def with_etag(body: dict[str, Any], version: int, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"ETag": etag(version)})


def _scope(principal: Principal, request: Request) -> tuple[str, str, str, str]:
    return (principal.tenant_id, principal.user_id, request.method, request.url.path)


# --- programs --------------------------------------------------------------------------------


@router.post(
    "/programs", status_code=201, response_model=ProgramOut, summary="Create a program (org_admin)"
)
async def create_program(
    spec: ProgramSpec,
    principal: CurrentPrincipal,
    service: Service,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def action() -> tuple[int, Any, dict[str, str]]:
        program = await service.create_program(principal, spec)
        return (
            201,
            program_out(program),
            {
                "ETag": etag(program.version),
                "Location": f"/v1/programs/{program.program_id}",
            },
        )

    return await service.idempotency.run(
        key=idempotency_key,
        scope=_scope(principal, request),
        body=spec.model_dump(mode="json"),
        action=action,
    )


@router.get("/programs", summary="Programs your organization may join")
async def list_programs(
    principal: CurrentPrincipal, service: Service, cursor: Cursor = None, limit: Limit = 20
) -> ProgramPage:
    docs, next_cursor = await service.list_programs(principal, cursor, limit)
    return ProgramPage(items=[program_doc_out(d) for d in docs], next_cursor=next_cursor)


@router.get("/programs/{program_id}", response_model=ProgramOut, summary="A program")
async def get_program(program_id: str, principal: CurrentPrincipal, service: Service) -> Response:
    program = await service.program_for(principal, program_id)
    return with_etag(program_out(program), program.version)


@router.patch(
    "/programs/{program_id}", response_model=ProgramOut, summary="Change a program's settings"
)
async def update_program(
    program_id: str,
    principal: CurrentPrincipal,
    service: Service,
    changes: Annotated[dict[str, Any], Body()],
    if_match: IfMatch = None,
) -> Response:
    if len(changes) > 30:
        raise InvalidInput("too many settings in one change", field="body")
    program = await service.update_program(
        principal, program_id, changes, parse_if_match(if_match, required=False)
    )
    return with_etag(program_out(program), program.version)


# --- members ---------------------------------------------------------------------------------


@router.post(
    "/programs/{program_id}/members",
    status_code=201,
    response_model=MemberOut,
    summary="Join a program (as mentee and/or mentor)",
)
async def join_program(
    program_id: str,
    body: JoinRequest,
    principal: CurrentPrincipal,
    service: Service,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def action() -> tuple[int, Any, dict[str, str]]:
        member, program = await service.join(
            principal,
            program_id,
            roles=list(body.roles),
            fields=body.profile_fields(),
            custom=body.custom_fields,
            visibility=dict(body.visibility),
        )
        return (
            201,
            member_out(member, program, "self", 0),
            {
                "ETag": etag(member.version),
                "Location": f"/v1/programs/{program_id}/members/me",
            },
        )

    return await service.idempotency.run(
        key=idempotency_key,
        scope=_scope(principal, request),
        body=body.model_dump(mode="json"),
        action=action,
    )


@router.post(
    "/programs/{program_id}/invitations",
    status_code=201,
    response_model=MemberOut,
    summary="Add a person to the program (admin)",
)
async def invite_member(
    program_id: str,
    body: InviteRequest,
    principal: CurrentPrincipal,
    service: Service,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def action() -> tuple[int, Any, dict[str, str]]:
        member, program = await service.invite(
            principal,
            program_id,
            user_id=body.user_id,
            organization_id=body.organization_id,
            roles=list(body.roles),
            fields=body.profile_fields(),
            custom=body.custom_fields,
        )
        return 201, member_out(member, program, "admin", 0), {"ETag": etag(member.version)}

    return await service.idempotency.run(
        key=idempotency_key,
        scope=_scope(principal, request),
        body=body.model_dump(mode="json"),
        action=action,
    )


@router.post(
    "/programs/{program_id}/members/import",
    response_model=ImportReport,
    summary="Bulk-add members from CSV (text/csv) or JSON (admin)",
    description="CSV: a header line with user_id and any of the profile fields (lists "
    "separated by ';', custom fields as custom.<key>), UTF-8. JSON: {\"members\": [...]}. "
    "Each row is checked on its own; the report says which rows were rejected and why.",
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            }
        }
    },
)
async def import_members(
    program_id: str,
    request: Request,
    principal: CurrentPrincipal,
    service: Service,
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
    report = await service.import_members(principal, program_id, rows, dry_run=dry_run)
    return ImportReport(**report)


@router.get("/programs/{program_id}/members", summary="Members of a program (admin)")
async def list_members(
    program_id: str,
    principal: CurrentPrincipal,
    service: Service,
    role: Literal["mentee", "mentor", "admin"] | None = None,
    application_state: Literal["submitted", "approved", "rejected"] | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MemberPage:
    docs, next_cursor = await service.list_members(
        principal,
        program_id,
        role=role,
        application_state=application_state,
        cursor=cursor,
        limit=limit,
    )
    return MemberPage(
        items=[
            MemberSummary(
                member_id=d["_id"],
                user_id=d["user_id"],
                organization_id=d["organization_id"],
                display_name=d.get("display_name"),
                roles=d["roles"],
                mentor_approved=d["mentor_approved"],
                joined_at=d.get("joined_at"),
                application=d.get("application"),
            )
            for d in docs
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/programs/{program_id}/members/me", response_model=MemberOut, summary="Your own profile"
)
async def my_profile(program_id: str, principal: CurrentPrincipal, service: Service) -> Response:
    member, program = await service.my_membership(principal, program_id)
    load = (await service.loads.load_of([member.member_id])).get(member.member_id, 0)
    return with_etag(member_out(member, program, "self", load), member.version)


@router.patch(
    "/programs/{program_id}/members/me",
    response_model=MemberOut,
    summary="Edit your profile (If-Match: the ETag you read)",
    description="Send only the fields you change; null clears a field.",
)
async def edit_my_profile(
    program_id: str,
    body: ProfileInput,
    principal: CurrentPrincipal,
    service: Service,
    if_match: IfMatch = None,
) -> Response:
    version = parse_if_match(if_match, required=True)
    assert version is not None
    member, program = await service.edit_my_profile(
        principal,
        program_id,
        if_match=version,
        fields=body.profile_fields(),
        custom=body.custom_fields,
        visibility=dict(body.visibility),
    )
    load = (await service.loads.load_of([member.member_id])).get(member.member_id, 0)
    return with_etag(member_out(member, program, "self", load), member.version)


@router.delete(
    "/programs/{program_id}/members/me",
    status_code=204,
    summary="Leave the program and erase your profile in it",
)
async def erase_my_membership(
    program_id: str, principal: CurrentPrincipal, service: Service
) -> Response:
    await service.erase_membership(principal, program_id)
    return Response(status_code=204)


@router.get(
    "/programs/{program_id}/members/{member_id}",
    response_model=MemberOut,
    summary="A member's profile, as you may see it",
)
async def get_member(
    program_id: str, member_id: str, principal: CurrentPrincipal, service: Service
) -> Response:
    member, program, viewer, load = await service.view_member(principal, program_id, member_id)
    return with_etag(member_out(member, program, viewer, load), member.version)


@router.put(
    "/programs/{program_id}/members/{member_id}/roles",
    response_model=MemberOut,
    summary="Set a member's roles (admin)",
)
async def set_roles(
    program_id: str,
    member_id: str,
    body: RolesRequest,
    principal: CurrentPrincipal,
    service: Service,
    if_match: IfMatch = None,
) -> Response:
    member, program = await service.change_roles(
        principal,
        program_id,
        member_id,
        list(body.roles),
        parse_if_match(if_match, required=False),
    )
    return with_etag(member_out(member, program, "admin"), member.version)


# --- mentor applications ----------------------------------------------------------------------


def application_out(member: Member, app: dict[str, Any], *, with_answers: bool) -> ApplicationOut:
    return ApplicationOut(
        application_id=app["application_id"],
        member_id=member.member_id,
        program_id=member.program_id,
        state=app["state"],
        answers=app["answers"] if with_answers else None,
        submitted_at=app["submitted_at"],
        decided_at=app["decided_at"],
        reason_code=app["reason_code"],
        note=app["note"],
    )


@router.post(
    "/programs/{program_id}/mentor-applications",
    status_code=201,
    response_model=ApplicationOut,
    summary="Apply to mentor in the program",
)
async def apply_to_mentor(
    program_id: str,
    body: ApplicationRequest,
    principal: CurrentPrincipal,
    service: Service,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def action() -> tuple[int, Any, dict[str, str]]:
        member, _ = await service.apply_to_mentor(principal, program_id, dict(body.answers))
        app = member.applications[-1]
        return 201, application_out(member, app, with_answers=True).model_dump(mode="json"), {}

    return await service.idempotency.run(
        key=idempotency_key,
        scope=_scope(principal, request),
        body=body.model_dump(mode="json"),
        action=action,
    )


@router.get(
    "/programs/{program_id}/mentor-applications/mine",
    summary="Your mentor applications in the program, latest last",
)
async def my_applications(
    program_id: str, principal: CurrentPrincipal, service: Service
) -> list[ApplicationOut]:
    member, _ = await service.my_membership(principal, program_id)
    return [application_out(member, a, with_answers=True) for a in member.applications]


@router.get(
    "/programs/{program_id}/mentor-applications",
    summary="Applications of the program, e.g. those waiting for a decision (admin)",
)
async def list_applications(
    program_id: str,
    principal: CurrentPrincipal,
    service: Service,
    state: Literal["submitted", "approved", "rejected"] = "submitted",
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MemberPage:
    return await list_members(program_id, principal, service, None, state, cursor, limit)


@router.get(
    "/programs/{program_id}/mentor-applications/{application_id}",
    response_model=ApplicationOut,
    summary="One application with its answers (admin, or the applicant)",
)
async def get_application(
    program_id: str, application_id: str, principal: CurrentPrincipal, service: Service
) -> ApplicationOut:
    member, app = await service.application(principal, program_id, application_id)
    return application_out(member, app, with_answers=True)


@router.post(
    "/programs/{program_id}/mentor-applications/{application_id}/decision",
    response_model=ApplicationOut,
    summary="Approve or reject a mentor application (admin)",
)
async def decide_application(
    program_id: str,
    application_id: str,
    body: DecisionRequest,
    principal: CurrentPrincipal,
    service: Service,
) -> ApplicationOut:
    member = await service.decide_application(
        principal,
        program_id,
        application_id,
        decision=body.decision,
        reason_code=body.reason_code,
        note=body.note,
    )
    app = next(a for a in member.applications if a["application_id"] == application_id)
    return application_out(member, app, with_answers=False)


# --- search ----------------------------------------------------------------------------------


@router.get(
    "/programs/{program_id}/search",
    response_model=SearchPageOut,
    summary="Search the program's members by fields and keywords",
    description="Keywords are ranked by relevance (BM25, English stemming, small typos "
    "tolerated) over headline, bio, skills, expertise, goals, interests and keywords. "
    "Filters combine with AND; several values of one filter with OR (skills: all).",
)
async def search(
    program_id: str,
    principal: CurrentPrincipal,
    service: Service,
    q: Annotated[str | None, Query(max_length=200)] = None,
    industry: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    job_function: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    skills: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    languages: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    tz_min: Annotated[float | None, Query(ge=-14, le=14, description="UTC offset, hours")] = None,
    tz_max: Annotated[float | None, Query(ge=-14, le=14)] = None,
    min_years: Annotated[int | None, Query(ge=0, le=80)] = None,
    max_years: Annotated[int | None, Query(ge=0, le=80)] = None,
    role: Literal["mentee", "mentor", "admin"] | None = None,
    approved: bool | None = None,
    accepting: bool | None = None,
    custom: Annotated[
        list[str], Query(max_length=20, description="key:value, e.g. track:backend")
    ] = [],  # noqa: B006
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> dict[str, Any]:
    for name, values in (
        ("industry", industry),
        ("job_function", job_function),
        ("skills", skills),
        ("languages", languages),
        ("custom", custom),
    ):
        if any(len(v) > 200 for v in values):
            raise InvalidInput(f"{name}: each value is at most 200 characters", field=name)
    pairs = []
    for item in custom:
        key, sep, value = item.partition(":")
        if not sep or not key or not value:
            raise InvalidInput(f"custom filter {item!r} must be key:value", field="custom")
        pairs.append((key.strip(), value.strip()))
    if tz_min is not None and tz_max is not None and tz_max < tz_min:
        raise InvalidInput("tz_max is below tz_min", field="tz_max")
    filters = SearchFilters(
        industries=industry,
        job_functions=job_function,
        skills=skills,
        languages=languages,
        tz_min_minutes=None if tz_min is None else round(tz_min * 60),
        tz_max_minutes=None if tz_max is None else round(tz_max * 60),
        min_years=min_years,
        max_years=max_years,
        role=role,
        approved=approved,
        accepting=accepting,
        custom=pairs,
    )
    return await service.search(principal, program_id, q, filters, limit=limit, cursor=cursor)


# --- you and your data -----------------------------------------------------------------------


@router.get("/me/memberships", summary="The programs you are a member of")
async def my_memberships(principal: CurrentPrincipal, service: Service) -> list[dict[str, Any]]:
    docs = await service.read_models.memberships_of(principal.tenant_id, principal.user_id)
    return [
        {
            "member_id": d["_id"],
            "program_id": d["program_id"],
            "roles": d["roles"],
            "mentor_approved": d["mentor_approved"],
            "display_name": d.get("display_name"),
            "application": d.get("application"),
        }
        for d in docs
        if d.get("status") == "active"
    ]


@router.get("/me/export", summary="Everything this service holds about you (JSON)")
async def export_my_data(principal: CurrentPrincipal, service: Service) -> JSONResponse:
    data = await service.export(principal)
    return JSONResponse(
        data,
        headers={"Content-Disposition": 'attachment; filename="profiles-export.json"'},
    )


@router.post(
    "/me/erasure",
    summary="Erase your profiles in every program of this tenant",
    description="Publishes an erasure tombstone on profile-changed for each membership and "
    "overwrites the personal data in the stored history.",
)
async def erase_my_data(principal: CurrentPrincipal, service: Service) -> dict[str, Any]:
    erased = await service.erase_everything(principal)
    return {"erased_member_ids": erased}
