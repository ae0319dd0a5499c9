"""A program's configuration as an admin writes it (``ProgramSpec``): pure validation."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

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
#: weight keys that are not a profile field: "semantic" weighs how close the meaning of
#: the two profiles' texts is (matching's embedding criterion)
CRITERION_WEIGHT_KEYS = frozenset({"semantic"})


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
            elif key not in SNAPSHOT_FIELDS and key not in CRITERION_WEIGHT_KEYS:
                raise ValueError(
                    f"matching_weights: {key!r} is neither a profile field, 'semantic' "
                    "nor custom:<key>"
                )
        return self
