"""The JSON shapes of the four admin reports, for the OpenAPI document.

The reports are plain dicts (:mod:`insights.domain.report_parts`), rendered once and kept
as bytes (:mod:`insights.entrypoints.rendering`), so these models are declared on the
routes but not run on each answer. ``extra="forbid"`` makes the integration test fail
when a report gains a field these models do not name.

A group of fewer than ``k_anonymity`` people shows ``{"suppressed": true}`` and no
numbers: each such place is a union of the numbers and the suppressed form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from insights.entrypoints.schemas import RulesIn

Activity = Literal["active", "quiet", "inactive", "ended"]
Status = Literal["on_track", "needs_check_in", "inactive", "ended"]
Score = Literal["1", "2", "3", "4", "5"]
AsOf = Annotated[
    datetime | None,
    Field(description="The moment time-relative rules were judged at (null at the epoch)."),
]


class Report(BaseModel):
    # every field is always present in the answer, defaults or not
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class Suppressed(Report):
    """Fewer than k_anonymity people: hidden, no numbers."""

    suppressed: Literal[True]


class Scores(Report):
    """Check-in scores of at least k_anonymity people."""

    answers: int
    respondents: int = Field(description="Distinct people who answered.")
    mean_score: float = Field(description="1 (badly) to 5, two decimals.")
    distribution: dict[Score, int] = Field(description="How many answers gave each score.")


class MonthScores(Scores):
    month: str = Field(description="The month answered in, YYYY-MM (UTC).")


class MonthSuppressed(Suppressed):
    month: str


class RoundScores(Scores):
    round: str = Field(description="The check-in round, e.g. day_30 or close.")


class RoundSuppressed(Suppressed):
    round: str


class RoleScores(Scores):
    role: Literal["mentor", "mentee"]


class RoleSuppressed(Suppressed):
    role: Literal["mentor", "mentee"]


class ReportRules(RulesIn):
    """The health rules the report was judged by."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


# --------------------------------------------------------------------------- health


class MemberCounts(Report):
    """Members with a visible profile (erased members are not counted)."""

    total: int
    mentors: int
    mentees: int
    mentors_approved: int
    mentors_paused: int
    mentor_applications_pending: int


class RequestCounts(Report):
    """Mentorship requests and how they were answered."""

    total: int
    accepted: int
    declined: int
    info_requested: int
    unanswered: int
    response_hours_median: float | None = Field(
        description="Hours from request to first answer (null: none answered)."
    )
    response_hours_p90: float | None = Field(description="Nearest-rank 90th percentile.")


class EndedCount(Report):
    reason: str
    mentorships: int
    people: int


class EndedSuppressed(Suppressed):
    reason: str


class MentorshipCounts(Report):
    """Mentorships made, by activity (active, quiet, inactive, ended) and status."""

    made: int
    active: int
    quiet: int
    inactive: int
    ended: int
    on_track: int
    needs_check_in: int = Field(description="Quiet, or a check-in round overdue.")
    mentor_silent: int = Field(description="The mentee wrote; the mentor stayed quiet.")
    ended_by_reason: list[EndedCount | EndedSuppressed] = Field(description="By reason.")


class ActivityCounts(Report):
    messages: int
    meetings_held: int
    meetings_upcoming: int
    meetings_cancelled: int
    documents_shared: int


class GoalCounts(Report):
    """The mentorships' goals (counts only, never their words)."""

    total: int
    completed: int
    overdue: int = Field(description="Not completed and past their due date.")
    completion_rate: float | None = Field(description="Completed / total (null: no goals).")
    mean_progress_percent: float | None = Field(description="Null: no goals.")


class HealthReport(Report):
    """A program's health at a moment: members, requests, mentorships, activity, goals
    and check-in scores."""

    program_id: str
    program_name: str | None = Field(description="Null before insights read the program.")
    as_of: AsOf
    rules: ReportRules
    members: MemberCounts
    requests: RequestCounts
    mentorships: MentorshipCounts
    activity: ActivityCounts
    goals: GoalCounts
    check_ins: Scores | Suppressed = Field(description="All answers given by as_of.")


# --------------------------------------------------------------------------- mentorships


class MentorshipRow(Report):
    """One mentorship: its status, the rule that set it, and its activity counts."""

    match_id: str
    mode: Literal["one_to_one", "group"]
    mentor_user_id: str = Field(description="'erased' for an erased member.")
    mentee_user_ids: list[str] = Field(description="'erased' for an erased member.")
    matched_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    activity: Activity
    status: Status
    rule: str = Field(
        description="Why the status, in words: 'no message or meeting for 39 days "
        "(inactive after 30)'."
    )
    mentor_silent: bool
    quiet_days: int = Field(description="Days since the last message or held meeting.")
    last_activity_at: datetime = Field(description="Last message or held meeting, or the match.")
    messages: int
    meetings_held: int
    documents_shared: int
    goals: int
    goals_completed: int
    check_ins_answered: int


class MentorshipsReport(Report):
    """Every mentorship of the program, by match id."""

    program_id: str
    as_of: AsOf
    items: list[MentorshipRow]


# --------------------------------------------------------------------------- check-ins


class RoundComment(Report):
    """A comment without its author."""

    score: int
    visibility: Literal["public", "private"]
    comment: str


class RoundComments(Report):
    round: str
    comments: list[RoundComment] = Field(description="Sorted by text, so no order names anyone.")


class CheckInsReport(Report):
    """Check-in scores overall, by month, round and role; comments of rounds answered
    by at least k_anonymity people."""

    program_id: str
    as_of: AsOf
    k_anonymity: int = Field(description="The smallest group whose numbers are shown.")
    overall: Scores | Suppressed
    by_month: list[MonthScores | MonthSuppressed]
    by_round: list[RoundScores | RoundSuppressed]
    by_role: list[RoleScores | RoleSuppressed]
    comments_by_round: list[RoundComments] = Field(description="Only rounds of k or more.")


# --------------------------------------------------------------------------- goals


class GoalRow(Report):
    """One mentorship with goals (counts only)."""

    match_id: str
    goals: int
    completed: int
    mean_progress_percent: float


class GoalsReport(Report):
    """Goal completion per mentorship (counts, never the goals' words)."""

    program_id: str
    as_of: AsOf
    goals: int
    completed: int
    completion_rate: float | None = Field(description="Null: no goals.")
    mentorships: list[GoalRow] = Field(description="Mentorships with goals, by match id.")
