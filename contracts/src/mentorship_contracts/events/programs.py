"""Programs and membership: what the profiles service publishes about who is where."""

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints, model_validator

from ._types import (
    MAX_PEOPLE,
    AggregateVersion,
    Code,
    Id,
    LongText,
    MatchMode,
    Name,
    Role,
    UserId,
)
from .base import ContractModel, EventPayload

__all__ = [
    "ExperienceGap",
    "MatchingConstraints",
    "MemberJoinedV1",
    "MentorApplicationDecidedV1",
    "MentorApplicationSubmittedV1",
    "ProgramChangedV1",
]

#: A matching criterion: a profile field (``skills``, ``languages``, ``timezone``, ...) or
#: a custom field as ``custom:<name>``.
WeightKey = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]


class ExperienceGap(ContractModel):
    """How many more years of experience a mentor has than the mentee (inclusive)."""

    min_years: Annotated[int, Field(ge=0, le=80)] = 0
    max_years: Annotated[int, Field(ge=0, le=80)] | None = None

    @model_validator(mode="after")
    def _range_in_order(self) -> "ExperienceGap":
        if self.max_years is not None and self.max_years < self.min_years:
            raise ValueError("max_years is below min_years")
        return self


class MatchingConstraints(ContractModel):
    """Hard constraints: a pair that breaks one is never proposed."""

    require_shared_language: bool = False
    same_organization: Literal["any", "same", "different"] = "any"
    experience_gap: ExperienceGap | None = None
    max_timezone_difference_hours: Annotated[int, Field(ge=0, le=26)] | None = None


class ProgramChangedV1(EventPayload):
    """The full configuration of a program, published on every change (state transfer).

    The topic is compacted: the latest event per program is all a consumer needs, so a
    new consumer rebuilds every program's configuration from the start of the topic.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.program.changed"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "program-changed"

    program_id: Id
    program_version: AggregateVersion
    organization_id: Id = Field(description="The organization that owns the program.")
    name: Name
    description: LongText | None = None
    kind: Literal["formal", "informal"]
    modes: Annotated[list[MatchMode], Field(min_length=1, max_length=2)]
    requires_mentor_approval: bool
    default_capacity: Annotated[int, Field(ge=1, le=100)] = Field(
        description="Mentees per mentor unless the mentor's profile says otherwise."
    )
    max_group_size: Annotated[int, Field(ge=2, le=MAX_PEOPLE)] | None = None
    partner_organization_ids: Annotated[list[Id], Field(max_length=500)] = []
    matching_weights: Annotated[
        dict[WeightKey, Annotated[float, Field(ge=0, le=100)]], Field(max_length=50)
    ] = Field(default={}, description="Relative weight of each criterion in the match score.")
    constraints: MatchingConstraints = MatchingConstraints()
    request_response_hours: Annotated[int, Field(ge=1, le=720)] = Field(
        description="How long a mentor has to answer a mentorship request."
    )
    starts_on: date | None = None
    ends_on: date | None = None
    status: Literal["active", "archived"]

    @model_validator(mode="after")
    def _dates_in_order(self) -> "ProgramChangedV1":
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class MemberJoinedV1(EventPayload):
    """A person joined a program. Their profile follows on ``profile-changed``."""

    EVENT_TYPE: ClassVar[str] = "mentorship.member.joined"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "member-joined"

    program_id: Id
    member_id: Id
    user_id: UserId
    organization_id: Id
    roles: Annotated[list[Role], Field(min_length=1, max_length=3)]


class MentorApplicationSubmittedV1(EventPayload):
    """A member applied to mentor in a program.

    The answers to the program's questions are for the program's admins only and stay in
    the profiles service.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.mentor_application.submitted"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "mentor-application-submitted"

    application_id: Id
    program_id: Id
    member_id: Id
    user_id: UserId


class MentorApplicationDecidedV1(EventPayload):
    """An admin approved or rejected a mentor application.

    ``reason`` is a code, not the admin's free text (which only the applicant may read
    through the API). Known codes: ``insufficient_experience``, ``program_full``,
    ``incomplete_application``, ``other``.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.mentor_application.decided"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "mentor-application-decided"

    application_id: Id
    program_id: Id
    member_id: Id
    user_id: UserId
    decision: Literal["approved", "rejected"]
    reason: Code | None = None
    decided_by_user_id: UserId
