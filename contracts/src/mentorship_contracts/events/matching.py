"""Matching: mentorship requests and the matches that result."""

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field, model_validator

from ._types import MAX_PEOPLE, Code, Id, MatchMode, UserId
from .base import EventPayload, Participant

__all__ = [
    "MatchMadeV1",
    "MentorshipEndedV1",
    "MentorshipRequestedV1",
    "MentorshipRespondedV1",
]


class MentorshipRequestedV1(EventPayload):
    """A mentee asked a mentor for mentorship.

    The mentee's note to the mentor is private to the two and not published.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.request.submitted"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "mentorship-requested"

    request_id: Id
    program_id: Id
    mentee: Participant
    mentor: Participant
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the request lapses if unanswered."
    )


class MentorshipRespondedV1(EventPayload):
    """The mentor answered a request.

    ``reason`` is a code (``at_capacity``, ``not_a_fit``, ``unavailable``, ``other``); the
    mentor's own words stay private to the pair. An acceptance names the ``match_id``
    that ``match-made`` announces.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.request.responded"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "mentorship-responded"

    request_id: Id
    program_id: Id
    mentee: Participant
    mentor: Participant
    response: Literal["accepted", "declined", "info_requested"]
    reason: Code | None = None
    match_id: Id | None = None


class MatchMadeV1(EventPayload):
    """A mentorship started: a mentor and one mentee, or a group of mentees.

    This (with ``mentorship-ended``) is how messaging, documents and scheduling learn who
    may see a match's conversation, files and meetings.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.match.made"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "match-made"

    match_id: Id
    program_id: Id
    mode: MatchMode
    mentor: Participant
    mentees: Annotated[list[Participant], Field(min_length=1, max_length=MAX_PEOPLE)]
    group_id: Id | None = None
    score: Annotated[float, Field(ge=0, le=1)] | None = Field(
        default=None, description="Match score normalised to 0..1, when matching computed one."
    )
    origin: Literal["request", "bulk_round"]
    request_id: Id | None = None
    round_id: Id | None = None

    @model_validator(mode="after")
    def _one_mentee_unless_group(self) -> "MatchMadeV1":
        if self.mode == "one_to_one" and len(self.mentees) != 1:
            raise ValueError("a one_to_one match has exactly one mentee")
        return self


class MentorshipEndedV1(EventPayload):
    """A mentorship ended; access to its conversation, files and meetings ends with it.

    Known ``reason`` codes: ``completed``, ``mentor_left``, ``mentee_left``,
    ``admin_ended``, ``program_archived``, ``inactive``, ``other``.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.match.ended"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "mentorship-ended"

    match_id: Id
    program_id: Id
    mentor: Participant
    mentees: Annotated[list[Participant], Field(min_length=1, max_length=MAX_PEOPLE)]
    reason: Code
    ended_by: Literal["mentor", "mentee", "admin", "system"]
    ended_by_user_id: UserId | None = None
