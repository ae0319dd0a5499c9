"""A mentor's card and availability: the pause/resume body and its answer."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from matching.entrypoints.schemas.base import Body, Code, Out, Timestamp


class Availability(Body):
    paused: bool = Field(description="True: take no new mentees (existing ones continue).")
    until: AwareDatetime | None = Field(default=None, description="When the pause ends by itself.")
    reason: Code | None = Field(default=None, description="vacation, at_capacity, leave, other.")


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
