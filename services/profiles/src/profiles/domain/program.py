"""Programs: their configuration (``ProgramSpec``) and the ``Program`` aggregate."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from chassis.errors import Conflict, Forbidden, InvalidInput
from chassis.eventstore import Aggregate
from mentorship_contracts.events.programs import MatchingConstraints
from profiles.domain.fields import BUILTIN_FIELDS, SNAPSHOT_FIELDS, CustomFieldDef

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"),
]
MatchMode = Literal["one_to_one", "group"]
BuiltinField = Literal[BUILTIN_FIELDS]  # type: ignore[valid-type]
WeightKey = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]

PROGRAM_CREATED = "ProgramCreated"
PROGRAM_RECONFIGURED = "ProgramReconfigured"


class MentorQuestion(BaseModel):
    """A question mentor applicants answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    required: bool = True
    max_length: Annotated[int, Field(ge=1, le=5000)] = 2000


class ProgramSpec(BaseModel):
    """The whole configuration of a program, as an admin writes it."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    kind: Literal["formal", "informal"] = "informal"
    starts_on: date | None = None
    ends_on: date | None = None
    modes: Annotated[list[MatchMode], Field(min_length=1, max_length=2)] = ["one_to_one"]
    requires_mentor_approval: bool = True
    default_capacity: Annotated[int, Field(ge=1, le=100)] = 3
    max_group_size: Annotated[int, Field(ge=2, le=500)] | None = None
    partner_organization_ids: Annotated[list[Id], Field(max_length=500)] = []
    profile_fields: Annotated[list[BuiltinField], Field(max_length=len(BUILTIN_FIELDS))] = Field(
        default_factory=lambda: list(BUILTIN_FIELDS),
        description="Built-in profile fields the program uses (display_name always).",
    )
    custom_fields: Annotated[list[CustomFieldDef], Field(max_length=50)] = []
    mentor_questions: Annotated[list[MentorQuestion], Field(max_length=20)] = []
    matching_weights: Annotated[
        dict[WeightKey, Annotated[float, Field(ge=0, le=100)]], Field(max_length=50)
    ] = {}
    constraints: MatchingConstraints = MatchingConstraints()
    request_response_hours: Annotated[int, Field(ge=1, le=720)] = 72
    status: Literal["active", "archived"] = "active"

    @field_validator("modes", mode="before")
    @classmethod
    def _both(cls, value: Any) -> Any:
        if value == "both":
            return ["one_to_one", "group"]
        if isinstance(value, str):
            return [value]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ProgramSpec:
        if len(set(self.modes)) != len(self.modes):
            raise ValueError("modes: each mode at most once")
        if self.kind == "formal" and (self.starts_on is None or self.ends_on is None):
            raise ValueError("a formal program needs starts_on and ends_on")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if "group" in self.modes and self.max_group_size is None:
            self.max_group_size = 10
        if "display_name" not in self.profile_fields:
            self.profile_fields = ["display_name", *self.profile_fields]
        self.profile_fields = list(dict.fromkeys(self.profile_fields))
        self.partner_organization_ids = list(dict.fromkeys(self.partner_organization_ids))
        keys = [f.key for f in self.custom_fields]
        if len(set(keys)) != len(keys):
            raise ValueError("custom_fields: keys must be unique")
        qkeys = [q.key for q in self.mentor_questions]
        if len(set(qkeys)) != len(qkeys):
            raise ValueError("mentor_questions: keys must be unique")
        for key in self.matching_weights:
            if key.startswith("custom:"):
                if key[len("custom:") :] not in keys:
                    raise ValueError(f"matching_weights: unknown custom field {key!r}")
            elif key not in SNAPSHOT_FIELDS:
                raise ValueError(
                    f"matching_weights: {key!r} is neither a profile field nor custom:<key>"
                )
        return self


class Program(Aggregate):
    """A mentoring program inside a tenant; owned by the organization that created it."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.tenant_id = ""
        self.organization_id = ""
        self.created_by = ""
        self.created_at: str | None = None
        self.spec: ProgramSpec | None = None

    @property
    def exists(self) -> bool:
        return self.spec is not None

    @property
    def program_id(self) -> str:
        return self.stream_id

    def apply(self, event_type: str, data: Mapping[str, Any]) -> None:
        if event_type == PROGRAM_CREATED:
            self.tenant_id = data["tenant_id"]
            self.organization_id = data["organization_id"]
            self.created_by = data["created_by"]
            self.created_at = data.get("at")
            self.spec = ProgramSpec.model_validate(data["spec"])
        elif event_type == PROGRAM_RECONFIGURED:
            self.spec = ProgramSpec.model_validate(data["spec"])

    # --- commands -------------------------------------------------------------------

    def create(
        self, *, tenant_id: str, organization_id: str, created_by: str, spec: ProgramSpec
    ) -> None:
        if self.exists:
            raise Conflict(f"program {self.program_id} already exists")
        self.record(
            PROGRAM_CREATED,
            {
                "tenant_id": tenant_id,
                "organization_id": organization_id,
                "created_by": created_by,
                "at": datetime.now(UTC).isoformat(),
                "spec": spec.model_dump(mode="json"),
            },
        )

    def reconfigure(self, changes: Mapping[str, Any], *, has_members: bool) -> list[str]:
        """Apply a partial update; return the names of what changed."""
        current = self.require_spec()
        unknown = set(changes) - set(ProgramSpec.model_fields)
        if unknown:
            name = sorted(unknown)[0]
            raise InvalidInput(f"unknown program setting {name!r}", field=name)
        merged = {**current.model_dump(mode="json"), **changes}
        new = ProgramSpec.model_validate(merged)
        if has_members and new.requires_mentor_approval != current.requires_mentor_approval:
            raise Conflict(
                "requires_mentor_approval cannot change once the program has members "
                "(it decides who is already visible as a mentor)",
                field="requires_mentor_approval",
            )
        old_types = {f.key: f.type for f in current.custom_fields}
        for f in new.custom_fields:
            if f.key in old_types and old_types[f.key] != f.type:
                raise Conflict(
                    f"custom field {f.key!r} is a {old_types[f.key]} field; its type cannot "
                    "change (add a field with a new key instead)",
                    field=f"custom_fields.{f.key}",
                )
        before, after = current.model_dump(mode="json"), new.model_dump(mode="json")
        changed = sorted(k for k in after if after[k] != before.get(k))
        if changed:
            self.record(PROGRAM_RECONFIGURED, {"spec": after, "changed": changed})
        return changed

    # --- queries --------------------------------------------------------------------

    def require_spec(self) -> ProgramSpec:
        if self.spec is None:
            raise InvalidInput("program does not exist")
        return self.spec

    def admits(self, organization_id: str) -> bool:
        spec = self.require_spec()
        return (
            organization_id == self.organization_id
            or organization_id in spec.partner_organization_ids
        )

    def check_open_for_joining(self, today: date | None = None) -> None:
        spec = self.require_spec()
        if spec.status != "active":
            raise Conflict("the program is archived and admits no new members")
        today = today or datetime.now(UTC).date()
        if spec.kind == "formal" and spec.ends_on is not None and today > spec.ends_on:
            raise Conflict(f"the program ended on {spec.ends_on.isoformat()}")

    def custom_field(self, key: str) -> CustomFieldDef | None:
        return next((f for f in self.require_spec().custom_fields if f.key == key), None)

    def is_admin_principal(self, *, organization_id: str, roles: frozenset[str]) -> bool:
        """An organization admin of the owning organization administers its programs."""
        return "org_admin" in roles and organization_id == self.organization_id

    def check_can_create(self, roles: frozenset[str]) -> None:
        if "org_admin" not in roles:
            raise Forbidden("only an organization admin (role org_admin) creates programs")
