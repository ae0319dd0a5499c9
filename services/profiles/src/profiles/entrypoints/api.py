"""HTTP API of the profiles service under ``/v1``: each route parses, calls its use case
(handed to it by :mod:`profiles.entrypoints.deps`) and shapes the reply.

Pagination, ``Idempotency-Key``, ``ETag``/``If-Match`` and the documented problems are the
kit's (:mod:`chassis.http`); bodies are capped at ``PROFILES_MAX_REQUEST_BODY_BYTES``
(1 MB) except the bulk import's (``PROFILES_MAX_IMPORT_BODY_BYTES``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from chassis.auth import CurrentPrincipal
from chassis.errors import InvalidInput
from chassis.http import (
    Created,
    Cursor,
    ExpectedVersion,
    IdempotencyKey,
    Limit,
    Page,
    RequiredVersion,
    idempotent_create,
    limit_query,
    problems,
    set_etag,
)
from chassis.limits import larger_body, parse_json_body
from profiles.adapters.search_index import SearchFilters
from profiles.application.imports import parse_csv_rows, parse_json_rows
from profiles.application.members import OwnProfile
from profiles.domain.member import Member, Viewer
from profiles.domain.program import Program, ProgramSpec
from profiles.entrypoints.deps import (
    ApplyAsMentorCase,
    ChangeProgramCase,
    ChangeRolesCase,
    CreateProgramCase,
    DecideApplicationCase,
    EditProfileCase,
    EraseEverythingCase,
    EraseMembershipCase,
    ExportMyDataCase,
    Idempotency,
    ImportMembersCase,
    InviteMemberCase,
    JoinProgramCase,
    ListMembersCase,
    ListMyApplicationsCase,
    ListMyMembershipsCase,
    ListProgramsCase,
    ReadApplicationCase,
    SearchMembersCase,
    ViewMemberCase,
    ViewMyProfileCase,
    ViewProgramCase,
)
from profiles.entrypoints.schemas import (
    ApplicationOut,
    ApplicationRequest,
    DataExport,
    DecisionRequest,
    ErasureReport,
    ImportReport,
    InviteRequest,
    JoinRequest,
    MemberOut,
    MembershipOut,
    MemberSummary,
    ProfileInput,
    ProgramOut,
    RolesRequest,
    SearchPageOut,
)

router = APIRouter(prefix="/v1", tags=["profiles"])

SearchLimit = Annotated[int, limit_query(50)]


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


def member_out(
    member: Member, program: Program, viewer: Viewer, load: int | None = None
) -> MemberOut:
    app = member.current_application()
    return MemberOut(
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


def own_profile_out(mine: OwnProfile, response: Response) -> MemberOut:
    set_etag(response, mine.member.version)
    return member_out(mine.member, mine.program, "self", mine.load)


# --- programs --------------------------------------------------------------------------------


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
    idempotency: Idempotency,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> Created:
        program = await create_program(principal, spec)
        return Created(
            program_out(program),
            location=f"/v1/programs/{program.program_id}",
            version=program.version,
        )

    return await idempotent_create(idempotency, request, principal, idempotency_key, spec, create)


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


# --- members ---------------------------------------------------------------------------------


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
    idempotency: Idempotency,
    request: Request,
    idempotency_key: IdempotencyKey = None,
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

    return await idempotent_create(idempotency, request, principal, idempotency_key, body, create)


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
    idempotency: Idempotency,
    request: Request,
    idempotency_key: IdempotencyKey = None,
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

    return await idempotent_create(idempotency, request, principal, idempotency_key, body, create)


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


@router.get(
    "/programs/{program_id}/members",
    response_model=Page[MemberSummary],
    summary="Members of a program (admin)",
    responses=problems(403, 404),
)
async def list_members(
    program_id: str,
    principal: CurrentPrincipal,
    list_all: ListMembersCase,
    role: Literal["mentee", "mentor", "admin"] | None = None,
    application_state: Literal["submitted", "approved", "rejected"] | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[MemberSummary]:
    docs, next_cursor = await list_all(
        principal,
        program_id,
        role=role,
        application_state=application_state,
        cursor=cursor,
        limit=limit,
    )
    return Page(
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
    "/programs/{program_id}/members/me",
    response_model=MemberOut,
    summary="Your own profile",
    responses=problems(404),
)
async def my_profile(
    program_id: str, principal: CurrentPrincipal, view: ViewMyProfileCase, response: Response
) -> MemberOut:
    return own_profile_out(await view(principal, program_id), response)


@router.patch(
    "/programs/{program_id}/members/me",
    response_model=MemberOut,
    summary="Edit your profile (If-Match: the ETag you read)",
    description="Send only the fields you change; null clears a field.",
    responses=problems(404, 412, 428),
)
async def edit_my_profile(
    program_id: str,
    body: ProfileInput,
    principal: CurrentPrincipal,
    edit: EditProfileCase,
    response: Response,
    version: RequiredVersion,
) -> MemberOut:
    mine = await edit(
        principal,
        program_id,
        if_match=version,
        fields=body.profile_fields(),
        custom=body.custom_fields,
        visibility=dict(body.visibility),
    )
    return own_profile_out(mine, response)


@router.delete(
    "/programs/{program_id}/members/me",
    status_code=204,
    summary="Leave the program and erase your profile in it",
    responses=problems(404),
)
async def erase_my_membership(
    program_id: str, principal: CurrentPrincipal, erase: EraseMembershipCase
) -> Response:
    await erase(principal, program_id)
    return Response(status_code=204)


@router.get(
    "/programs/{program_id}/members/{member_id}",
    response_model=MemberOut,
    summary="A member's profile, as you may see it",
    responses=problems(404),
)
async def get_member(
    program_id: str,
    member_id: str,
    principal: CurrentPrincipal,
    view: ViewMemberCase,
    response: Response,
) -> MemberOut:
    member, program, viewer, load = await view(principal, program_id, member_id)
    set_etag(response, member.version)
    return member_out(member, program, viewer, load)


@router.put(
    "/programs/{program_id}/members/{member_id}/roles",
    response_model=MemberOut,
    summary="Set a member's roles (admin; If-Match: the ETag you read)",
    responses=problems(403, 404, 409, 412),
)
async def set_roles(
    program_id: str,
    member_id: str,
    body: RolesRequest,
    principal: CurrentPrincipal,
    change: ChangeRolesCase,
    response: Response,
    version: ExpectedVersion,
) -> MemberOut:
    member, program = await change(principal, program_id, member_id, list(body.roles), version)
    set_etag(response, member.version)
    return member_out(member, program, "admin")


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
    responses=problems(404, 409),
)
async def apply_to_mentor(
    program_id: str,
    body: ApplicationRequest,
    principal: CurrentPrincipal,
    apply: ApplyAsMentorCase,
    idempotency: Idempotency,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> Created:
        member, _ = await apply(principal, program_id, dict(body.answers))
        app = member.applications[-1]
        return Created(application_out(member, app, with_answers=True))

    return await idempotent_create(idempotency, request, principal, idempotency_key, body, create)


@router.get(
    "/programs/{program_id}/mentor-applications/mine",
    response_model=list[ApplicationOut],
    summary="Your mentor applications in the program, latest last",
    responses=problems(404),
)
async def my_applications(
    program_id: str, principal: CurrentPrincipal, list_mine: ListMyApplicationsCase
) -> list[ApplicationOut]:
    member = await list_mine(principal, program_id)
    return [application_out(member, a, with_answers=True) for a in member.applications]


@router.get(
    "/programs/{program_id}/mentor-applications",
    response_model=Page[MemberSummary],
    summary="Applications of the program, e.g. those waiting for a decision (admin)",
    responses=problems(403, 404),
)
async def list_applications(
    program_id: str,
    principal: CurrentPrincipal,
    list_all: ListMembersCase,
    state: Literal["submitted", "approved", "rejected"] = "submitted",
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[MemberSummary]:
    return await list_members(program_id, principal, list_all, None, state, cursor, limit)


@router.get(
    "/programs/{program_id}/mentor-applications/{application_id}",
    response_model=ApplicationOut,
    summary="One application with its answers (admin, or the applicant)",
    responses=problems(404),
)
async def get_application(
    program_id: str, application_id: str, principal: CurrentPrincipal, read: ReadApplicationCase
) -> ApplicationOut:
    member, app = await read(principal, program_id, application_id)
    return application_out(member, app, with_answers=True)


@router.post(
    "/programs/{program_id}/mentor-applications/{application_id}/decision",
    response_model=ApplicationOut,
    summary="Approve or reject a mentor application (admin)",
    responses=problems(403, 404, 409),
)
async def decide_application(
    program_id: str,
    application_id: str,
    body: DecisionRequest,
    principal: CurrentPrincipal,
    decide: DecideApplicationCase,
) -> ApplicationOut:
    member = await decide(
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
    "Filters combine with AND; several values of one filter with OR (skills: all). "
    "Only the program's admins may ask for approved=false (unapproved mentors); others get 403.",
    responses=problems(403, 404),
)
async def search(
    program_id: str,
    principal: CurrentPrincipal,
    search_members: SearchMembersCase,
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
    approved: Annotated[
        bool | None, Query(description="Mentors approved (true) or not (false: admins only)")
    ] = None,
    accepting: bool | None = None,
    custom: Annotated[
        list[str], Query(max_length=20, description="key:value, e.g. track:backend")
    ] = [],  # noqa: B006
    cursor: Cursor = None,
    limit: SearchLimit = 20,
) -> SearchPageOut:
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
    page = await search_members(principal, program_id, q, filters, limit=limit, cursor=cursor)
    return SearchPageOut.model_validate(page)


# --- you and your data -----------------------------------------------------------------------


@router.get(
    "/me/memberships",
    response_model=list[MembershipOut],
    summary="The programs you are a member of",
)
async def my_memberships(
    principal: CurrentPrincipal, list_mine: ListMyMembershipsCase
) -> list[MembershipOut]:
    return [
        MembershipOut(
            member_id=d["_id"],
            program_id=d["program_id"],
            roles=d["roles"],
            mentor_approved=d["mentor_approved"],
            display_name=d.get("display_name"),
            application=d.get("application"),
        )
        for d in await list_mine(principal)
    ]


@router.get(
    "/me/export",
    response_model=DataExport,
    summary="Everything this service holds about you (JSON)",
)
async def export_my_data(principal: CurrentPrincipal, export: ExportMyDataCase) -> JSONResponse:
    data = await export(principal)
    return JSONResponse(
        data,
        headers={"Content-Disposition": 'attachment; filename="profiles-export.json"'},
    )


@router.post(
    "/me/erasure",
    response_model=ErasureReport,
    summary="Erase your profiles in every program of this tenant",
    description="Publishes an erasure tombstone on profile-changed for each membership and "
    "overwrites the personal data in the stored history.",
)
async def erase_my_data(principal: CurrentPrincipal, erase: EraseEverythingCase) -> ErasureReport:
    erased = await erase(principal)
    return ErasureReport(erased_member_ids=erased)
