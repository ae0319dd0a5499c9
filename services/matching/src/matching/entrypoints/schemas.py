"""Bodies of the HTTP API: requests (every string and list bounded, unknown fields
refused) and responses (typed views of what the use cases return)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

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


# --------------------------------------------------------------------------- responses
#
# What the routes answer, field by field, as the use cases build it. Request views omit
# what the viewer may not read (an admin never gets the message, the conversation or the
# note; only the mentee gets next_best): those routes leave unset fields out.


def _isoformat(value: datetime) -> str:
    return value.isoformat()


#: A time the read models store as a BSON date, answered as ISO 8601 (as it always was).
Timestamp = Annotated[datetime, PlainSerializer(_isoformat, return_type=str)]


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Contribution(Out):
    criterion: str
    weight: float
    value: float | None = None
    contribution: float
    reason: str | None = None


class Explanation(Out):
    summary: str
    reasons: list[str]
    shared: dict[str, list[str]] = Field(description="What the two have in common, by field.")
    contributions: list[Contribution]
    excluded_by: list[str] = Field(description="Codes of the rules that rule the pair out.")
    exclusions: list[str] = Field(description="Those rules, in words.")


class Recommendation(Out):
    rank: int
    mentor_id: str
    mentor_user_id: str
    display_name: str | None = None
    headline: str | None = None
    score: float
    explanation: Explanation
    mentor_last_active_at: Timestamp | None = None
    open_request_id: str | None = Field(
        default=None, description="Your open request to this mentor, if any."
    )
    match_id: str | None = Field(default=None, description="Your mentorship with them, if any.")


class Recommendations(Out):
    program_id: str
    mentee_id: str
    status: Literal["ready", "pending"] = Field(
        description="pending: the list is being computed (just joined); ask again shortly."
    )
    updated_at: Timestamp | None = None
    mentee_profile_version: int | None = Field(
        default=None,
        description="The version of the mentee's profile the list was computed from "
        "(null while pending).",
    )
    items: list[Recommendation]


class PairExplanation(Out):
    mentor_id: str
    mentee_id: str
    feasible: bool
    score: float | None = None
    explanation: Explanation


class MentorCard(Out):
    mentor_id: str
    user_id: str
    display_name: str | None = None
    headline: str | None = None
    approved: bool
    accepting_mentees: bool
    paused: bool
    pause_until: str | None = None
    pause_reason: str | None = None
    pause_note: str | None = Field(
        default=None, description="Why the platform paused you (the mentor only)."
    )
    capacity: int
    active_mentees: int
    free_slots: int
    last_active_at: Timestamp | None = None


class Pause(Out):
    since: str | None = None
    until: str | None = None
    reason: str | None = None
    note: str | None = None
    by: str | None = None
    mentor_user_id: str | None = None


class AvailabilityOut(Out):
    mentor_id: str
    paused: bool
    pause: Pause | None = None


class NextBest(Out):
    mentor_id: str
    mentor_user_id: str
    display_name: str | None = None
    score: float
    summary: str


class ConversationEntry(Out):
    from_: str = Field(alias="from", serialization_alias="from")
    text: str
    at: str


class MatchOut(Out):
    match_id: str
    program_id: str
    mentor_id: str
    mentor_user_id: str
    mentee_id: str
    mentee_user_id: str
    mode: str
    group_id: str | None = None
    origin: str
    request_id: str | None = None
    round_id: str | None = None
    score: float | None = None
    status: str
    started_at: str
    ended_at: str | None = None
    end_reason: str | None = None
    ended_by: str | None = None
    viewer: str | None = Field(default=None, description="Your side: mentor, mentee or admin.")


class RequestOut(Out):
    request_id: str
    program_id: str
    mentor_id: str
    mentor_user_id: str
    mentee_id: str
    mentee_user_id: str
    group_id: str | None = None
    status: str
    message: str | None = Field(default=None, description="The mentee's words (the two only).")
    conversation: list[ConversationEntry] | None = None
    requested_at: str
    expires_at: str
    updated_at: str | None = None
    closed_at: str | None = None
    reason: str | None = None
    note: str | None = None
    match_id: str | None = None
    next_best: list[NextBest] | None = Field(
        default=None, description="After a decline or expiry: who to ask next (the mentee)."
    )
    viewer: str = Field(description="Your side: mentor, mentee or admin.")
    match: MatchOut | None = Field(default=None, description="The mentorship an accept made.")


class RequestSummary(Out):
    request_id: str
    role: Literal["mentee", "mentor"]
    other_member_id: str
    other_display_name: str | None = Field(
        default=None, description="The other side's name (null once they left)."
    )
    other_headline: str | None = Field(
        default=None, description="The other side's headline, if they show one."
    )
    message: str | None = Field(
        default=None, description="The mentee's words with the request (the two only)."
    )
    status: str
    group_id: str | None = None
    requested_at: str | None = None
    expires_at: str | None = None
    updated_at: str | None = None


class MatchSummary(Out):
    match_id: str
    role: Literal["mentee", "mentor"]
    other_member_id: str
    status: str
    mode: str | None = None
    group_id: str | None = None
    started_at: str | None = None
    ended_at: str | None = None


class GroupOut(Out):
    group_id: str
    mentor_id: str
    title: str
    description: str | None = None
    capacity: int
    members: int
    status: str
    opened_at: str


class PairOut(Out):
    mentor_id: str
    mentee_id: str


class RunMentor(Out):
    member_id: str
    profile_version: int
    free_slots: int


class RunMentee(Out):
    member_id: str
    profile_version: int


class RunInputs(Out):
    program_version: int
    rules: dict[str, Any]
    mentors: list[RunMentor]
    mentees: list[RunMentee]
    pinned: list[PairOut]
    forbidden: list[PairOut]


class RoundPair(Out):
    mentor_id: str
    mentee_id: str
    score: float
    pinned: bool
    explanation: Explanation


class Unmatched(Out):
    mentee_id: str
    reason_code: str
    reason: str


class RunResult(Out):
    matches: list[RoundPair]
    unmatched: list[Unmatched]
    total_score: float
    method: str
    optimal: bool


class RunOut(Out):
    round_id: str
    run: int
    inputs: RunInputs
    input_digest: str
    result: RunResult
    result_digest: str
    computed_at: str


class RunSummary(Out):
    run: int
    input_digest: str
    result_digest: str
    matched: int
    unmatched: int
    total_score: float
    pinned: list[PairOut]
    forbidden: list[PairOut]
    by: str
    at: str


class PublishedPair(Out):
    mentor_id: str
    mentee_id: str
    match_id: str


class SkippedPair(PublishedPair):
    reason: str


class Published(Out):
    run: int | None = None
    published: list[PublishedPair]
    skipped: list[SkippedPair]
    at: str | None = None


class RoundOut(Out):
    round_id: str
    program_id: str
    status: str
    opened_by: str | None = None
    opened_at: str | None = None
    runs: list[RunSummary]
    publishing_run: int | None = None
    published: Published | None = None


class RoundSummary(Out):
    round_id: str
    status: str
    opened_at: str | None = None
    opened_by: str | None = None
    runs: int


class RoundList(Out):
    items: list[RoundSummary]


class PublishOut(Out):
    round_id: str
    run: int
    published: list[PublishedPair]
    skipped: list[SkippedPair]
