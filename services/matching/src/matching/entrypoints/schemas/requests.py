"""Mentorship requests: asking, declining, questions and answers, and the views of a request.

Request views omit what the viewer may not read (an admin never gets the message, the
conversation or the note; only the mentee gets next_best): their routes leave unset
fields out (``response_model_exclude_unset``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from matching.entrypoints.schemas.base import Body, Code, Id, Message, Note, Out
from matching.entrypoints.schemas.matches import MatchOut


class RequestMentorship(Body):
    mentor_id: Id = Field(description="The mentor's member id in this program.")
    message: Message = Field(description="Why you ask this mentor (private to the two of you).")


class Decline(Body):
    reason: Code = Field(
        default="not_a_fit",
        description="A code: at_capacity, not_a_fit, unavailable, other (published).",
    )
    note: Note | None = Field(default=None, description="Your words to the mentee (private).")


class Text(Body):
    text: Message


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
