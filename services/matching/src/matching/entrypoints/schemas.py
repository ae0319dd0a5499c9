"""Request bodies of the HTTP API: every string and list bounded, unknown fields refused."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"),
]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
Message = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
Note = Annotated[str, StringConstraints(max_length=2000, strip_whitespace=True)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestMentorship(Body):
    mentor_id: Id = Field(description="The mentor's member id in this program.")
    message: Message = Field(description="Why you ask this mentor (private to the two of you).")


class JoinGroup(Body):
    message: Message


class Decline(Body):
    reason: Code = Field(
        default="not_a_fit",
        description="A code: at_capacity, not_a_fit, unavailable, other (published).",
    )
    note: Note | None = Field(default=None, description="Your words to the mentee (private).")


class Text(Body):
    text: Message


class EndMentorship(Body):
    reason: Code | None = Field(
        default=None,
        description="completed, mentor_left, mentee_left, inactive, other (default: completed; "
        "admin_ended for admins).",
    )


class Availability(Body):
    paused: bool = Field(description="True: take no new mentees (existing ones continue).")
    until: AwareDatetime | None = Field(default=None, description="When the pause ends by itself.")
    reason: Code | None = Field(default=None, description="vacation, at_capacity, leave, other.")


class OpenGroup(Body):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    description: Note | None = None
    capacity: Annotated[int, Field(ge=1, le=500)]


class PairIn(Body):
    mentor_id: Id
    mentee_id: Id


class RoundInput(Body):
    pinned: Annotated[list[PairIn], Field(max_length=1000)] = Field(
        default=[], description="Pairs that must be in the result."
    )
    forbidden: Annotated[list[PairIn], Field(max_length=5000)] = Field(
        default=[], description="Pairs that must not be in the result."
    )

    def pinned_pairs(self) -> list[tuple[str, str]]:
        return [(p.mentor_id, p.mentee_id) for p in self.pinned]

    def forbidden_pairs(self) -> list[tuple[str, str]]:
        return [(p.mentor_id, p.mentee_id) for p in self.forbidden]


class Publish(Body):
    run: Annotated[int, Field(ge=1, le=10_000)] | None = Field(
        default=None, description="The run to publish (default: the latest)."
    )
