"""HTTP request and response bodies (every string and list bounded)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from profiles.domain.fields import ProfileFields, Visibility
from profiles.domain.program import ProgramSpec

FieldName = Annotated[str, StringConstraints(min_length=1, max_length=80)]
CustomKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
CustomValues = Annotated[dict[CustomKey, Any], Field(max_length=50)]
VisibilityMap = Annotated[dict[FieldName, Visibility], Field(max_length=80)]
UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
OrgId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"),
]


class ProfileInput(ProfileFields):
    """Built-in fields (flat), the program's custom fields and per-field visibility."""

    custom_fields: CustomValues = {}
    visibility: VisibilityMap = Field(
        default={},
        description="Per field: program (every member), matches (your mentor/mentees "
        "only) or private (you only). Custom fields as custom.<key>.",
    )

    def profile_fields(self) -> ProfileFields:
        names = set(ProfileFields.model_fields) & self.model_fields_set
        fields = ProfileFields.model_construct(
            _fields_set=names, **{n: getattr(self, n) for n in names}
        )
        return fields


class JoinRequest(ProfileInput):
    roles: Annotated[list[Literal["mentee", "mentor"]], Field(min_length=1, max_length=2)] = [
        "mentee"
    ]


class InviteRequest(ProfileInput):
    user_id: UserId
    organization_id: OrgId | None = None
    roles: Annotated[
        list[Literal["mentee", "mentor", "admin"]], Field(min_length=1, max_length=3)
    ] = ["mentee"]


class RolesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: Annotated[list[Literal["mentee", "mentor", "admin"]], Field(min_length=1, max_length=3)]


class ApplicationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: Annotated[
        dict[CustomKey, Annotated[str, StringConstraints(max_length=5000)]], Field(max_length=20)
    ] = {}


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approved", "rejected"]
    reason_code: (
        Literal["insufficient_experience", "program_full", "incomplete_application", "other"] | None
    ) = None
    note: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None, description="For the applicant only; never published."
    )


class ProgramOut(ProgramSpec):
    program_id: str
    organization_id: str
    version: int
    created_by: str | None = None
    created_at: str | None = None


class MemberOut(BaseModel):
    member_id: str
    program_id: str
    user_id: str
    organization_id: str
    status: str
    roles: list[str]
    mentor_approved: bool
    joined_at: str | None = None
    version: int
    viewer: str = Field(description="Whose view this is: self, matched, admin or member.")
    profile: dict[str, Any]
    visibility: dict[str, str] | None = None
    application: dict[str, Any] | None = None
    current_load: int | None = None
    missing_required: list[str] | None = None


class MemberSummary(BaseModel):
    member_id: str
    user_id: str
    organization_id: str
    display_name: str | None
    roles: list[str]
    mentor_approved: bool
    joined_at: str | None
    application: dict[str, Any] | None = None


class ApplicationOut(BaseModel):
    application_id: str
    member_id: str
    program_id: str
    state: str
    answers: dict[str, str] | None = None
    submitted_at: str | None = None
    decided_at: str | None = None
    reason_code: str | None = None
    note: str | None = None


class SearchHit(BaseModel):
    member_id: str
    user_id: str
    organization_id: str
    roles: list[str]
    mentor_approved: bool
    score: float
    current_load: int
    profile: dict[str, Any]


class SearchPageOut(BaseModel):
    results: list[SearchHit]
    total: int
    next_cursor: str | None


class ImportReport(BaseModel):
    program_id: str
    dry_run: bool
    received: int
    created: int
    rejected: int
    rows: list[dict[str, Any]]


class MembershipOut(BaseModel):
    member_id: str
    program_id: str
    roles: list[str]
    mentor_approved: bool
    display_name: str | None = None
    application: dict[str, Any] | None = None


class DataExport(BaseModel):
    """What ``GET /me/export`` answers (as an attachment)."""

    user_id: str
    tenant_id: str
    memberships: list[dict[str, Any]] = Field(
        description="Each membership with its profile, applications and history."
    )


class ErasureReport(BaseModel):
    erased_member_ids: list[str]
