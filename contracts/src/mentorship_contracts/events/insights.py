"""Insights: goals, check-ins and the health of mentorships.

None of these carries what people wrote: no goal titles, no milestone names, no check-in
comments (public or private). A check-in's score travels so that reports can be rebuilt
from the topics; its comment stays in the insights service, which shows a private one to
the program's admins only (and then only inside groups of at least five respondents).
"""

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from ._types import MAX_PEOPLE, AggregateVersion, Code, Id, UserId
from .base import EventPayload

__all__ = [
    "CheckInAnsweredV1",
    "CheckInDueV1",
    "GoalUpdatedV1",
    "MentorshipAtRiskV1",
]

#: A check-in round of a mentorship's schedule: ``day_30``, ``day_90``, ..., ``close``.
Round = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")]


class GoalUpdatedV1(EventPayload):
    """A goal of a mentorship was set, changed, progressed or removed.

    Carries the goal's state after the change (not its title or milestone names, which are
    the pair's own words). ``plan_version`` is the version of the mentorship's goal plan:
    keep the highest per goal.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.goal.updated"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "goal-updated"

    program_id: Id
    match_id: Id
    goal_id: Id
    plan_version: AggregateVersion
    status: Literal["open", "completed", "removed"]
    progress_percent: Annotated[int, Field(ge=0, le=100)]
    milestones_total: Annotated[int, Field(ge=0, le=100)] = 0
    milestones_done: Annotated[int, Field(ge=0, le=100)] = 0
    due_on: date | None = Field(default=None, description="Due date (match date + days).")
    updated_by_user_id: UserId
    updated_at: AwareDatetime


class CheckInAnsweredV1(EventPayload):
    """A mentor or mentee answered a check-in of their mentorship: a 1-5 score.

    The comment is never published, whatever its visibility.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.check_in.answered"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "check-in-answered"

    answer_id: Id
    program_id: Id
    match_id: Id
    round: Round
    respondent_user_id: UserId
    respondent_role: Literal["mentor", "mentee"]
    score: Annotated[int, Field(ge=1, le=5)]
    visibility: Literal["public", "private"] = Field(
        description="public: the pair and the admins read the comment; private: admins only."
    )
    has_comment: bool = False
    answered_at: AwareDatetime


class CheckInDueV1(EventPayload):
    """A check-in of a mentorship is due: a reminder for its people (published once)."""

    EVENT_TYPE: ClassVar[str] = "mentorship.check_in.due"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "check-in-due"

    program_id: Id
    match_id: Id
    round: Round
    due_at: AwareDatetime
    recipient_user_ids: Annotated[list[UserId], Field(min_length=1, max_length=MAX_PEOPLE)]


class MentorshipAtRiskV1(EventPayload):
    """A mentorship went quiet for longer than its program allows (published once per
    quiet spell), or its mentor stayed silent while the mentee wrote.

    Known ``reason`` codes: ``quiet`` (no message or meeting for ``quiet_days``),
    ``mentor_silent`` (the mentee wrote, the mentor did not, for ``quiet_days``).
    The messaging service can turn it into an e-mail to the pair.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.mentorship.at_risk"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "mentorship-at-risk"

    program_id: Id
    match_id: Id
    reason: Code
    quiet_days: Annotated[int, Field(ge=0, le=100_000)]
    threshold_days: Annotated[int, Field(ge=1, le=3650)]
    last_activity_at: AwareDatetime
    mentor_user_id: UserId
    mentee_user_ids: Annotated[list[UserId], Field(min_length=1, max_length=MAX_PEOPLE)]
    detected_at: AwareDatetime
