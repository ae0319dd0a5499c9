"""Profiles: the matchable, program-visible part of a member's profile."""

from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from ._types import (
    AggregateVersion,
    Code,
    Id,
    LanguageTag,
    LongText,
    Name,
    Role,
    ShortText,
    Tag,
    TimeZoneName,
    UserId,
)
from .base import ContractModel, EventPayload

__all__ = ["MentorPausedV1", "ProfileChangedV1", "ProfileSnapshot"]

CustomFieldKey = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
]
CustomFieldValue = (
    Annotated[str, StringConstraints(max_length=1000)]
    | float
    | Annotated[list[Tag], Field(max_length=50)]
)
Tags = Annotated[list[Tag], Field(max_length=50)]


class ProfileSnapshot(ContractModel):
    """The fields of a profile that matching and search may use.

    Only what the owner made visible to the program is included; a field they hid is
    ``None`` or empty here, exactly as if it were never filled in.
    """

    display_name: Name
    headline: ShortText | None = None
    bio: LongText | None = None
    timezone: TimeZoneName | None = None
    languages: Annotated[list[LanguageTag], Field(max_length=20)] = []
    industry: ShortText | None = None
    job_function: ShortText | None = None
    years_experience: Annotated[int, Field(ge=0, le=80)] | None = None
    skills: Tags = []
    expertise: Tags = []
    goals: Annotated[list[ShortText], Field(max_length=20)] = []
    interests: Tags = []
    keywords: Tags = []
    capacity: Annotated[int, Field(ge=0, le=100)] | None = Field(
        default=None, description="Mentees this mentor takes at once; None: program default."
    )
    accepting_mentees: bool = False
    custom_fields: Annotated[dict[CustomFieldKey, CustomFieldValue], Field(max_length=50)] = {}


class ProfileChangedV1(EventPayload):
    """The current state of a member's profile in a program (event-carried state transfer).

    Published on every change with the *whole* snapshot, so a consumer never needs an
    earlier event: the topic is compacted and is the source from which matching and search
    projections are rebuilt. ``profile_version`` orders the states: drop an event whose
    version is not above the one you hold.

    Erasure (the member left or asked to be forgotten) is an event with ``erased=True``
    and no snapshot; consumers must then delete what they hold about the member.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.profile.changed"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "profile-changed"

    program_id: Id
    member_id: Id = Field(description="The member (one profile per member of a program).")
    user_id: UserId
    organization_id: Id
    profile_version: AggregateVersion
    roles: Annotated[list[Role], Field(max_length=3)]
    mentor_approved: bool = Field(
        description="True when the member may be shown and matched as a mentor."
    )
    changed_fields: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
        Field(max_length=100),
    ] = Field(
        default=[],
        description="Names of what changed in this version (snapshot fields, 'roles', "
        "'mentor_approved', ...); empty for the first version and for erasure.",
    )
    erased: bool = False
    snapshot: ProfileSnapshot | None

    @model_validator(mode="after")
    def _snapshot_unless_erased(self) -> "ProfileChangedV1":
        if self.erased and self.snapshot is not None:
            raise ValueError("an erased profile carries no snapshot")
        if not self.erased and self.snapshot is None:
            raise ValueError("snapshot is required unless erased")
        return self


class MentorPausedV1(EventPayload):
    """A mentor stopped (``paused=True``) or resumed (``paused=False``) taking mentees.

    Pause and resume share one topic and key so their order per mentor holds. Existing
    mentorships continue; only new requests and matching rounds skip a paused mentor.
    Known ``reason`` codes: ``vacation``, ``at_capacity``, ``leave``, ``other``.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.mentor.paused"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "mentor-paused"

    program_id: Id
    member_id: Id
    user_id: UserId
    paused: bool
    until: AwareDatetime | None = Field(
        default=None, description="When a pause ends by itself; None: until resumed."
    )
    reason: Code | None = None
