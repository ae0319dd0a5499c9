"""Mentorships: ending one, and the views of a match and of a member's list of them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from matching.entrypoints.schemas.base import Body, Code, Out


class EndMentorship(Body):
    reason: Code | None = Field(
        default=None,
        description="completed, mentor_left, mentee_left, inactive, other (default: completed; "
        "admin_ended for admins).",
    )


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


class MatchSummary(Out):
    match_id: str
    role: Literal["mentee", "mentor"]
    other_member_id: str
    status: str
    mode: str | None = None
    group_id: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
