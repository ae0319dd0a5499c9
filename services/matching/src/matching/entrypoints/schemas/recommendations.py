"""Views of recommendation lists and of one mentor-mentee pair, each with its explanation."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from matching.entrypoints.schemas.base import Explanation, Out, Timestamp


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
