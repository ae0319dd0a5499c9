"""Request and response bodies of the insights API (bounded strings and lists)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
DueInDays = Annotated[int, Field(ge=0, le=3650, description="Days after the match date.")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoalIn(Body):
    title: Title
    description: Description = ""
    due_in_days: DueInDays | None = None
    milestones: Annotated[list[Title], Field(max_length=20)] = []


class GoalChange(Body):
    title: Title | None = None
    description: Description | None = None
    due_in_days: DueInDays | None = None
    clear_due: bool = False
    progress_percent: Annotated[int, Field(ge=0, le=100)] | None = None


class MilestoneIn(Body):
    title: Title


class MilestoneMark(Body):
    done: bool


class Milestone(BaseModel):
    milestone_id: str
    title: str
    done: bool


class Goal(BaseModel):
    goal_id: str
    title: str
    description: str
    due_in_days: int | None
    due_on: date | None
    progress_percent: int
    status: Literal["open", "completed"]
    milestones: list[Milestone]


class GoalPlanOut(BaseModel):
    match_id: str
    version: int
    items: list[Goal]


class CheckInIn(Body):
    score: Annotated[int, Field(ge=1, le=5, description="How is it going, 1 (badly) to 5.")]
    comment: Comment = ""
    visibility: Literal["public", "private"] = Field(
        default="private",
        description="public: your mentorship's people read the comment; private: the "
        "program's admins only (in groups of at least five).",
    )


class CheckInOut(BaseModel):
    answer_id: str
    round: str
    role: str
    score: int
    comment: str
    visibility: str
    answered_at: datetime


class CheckInRound(BaseModel):
    round: str
    due_at: datetime | None
    mine: dict[str, Any] | None
    answers: int
    public: list[dict[str, Any]]


class CheckInsOut(BaseModel):
    match_id: str
    items: list[CheckInRound]


class RulesIn(Body):
    quiet_after_days: Annotated[int, Field(ge=1, le=365)] = 14
    inactive_after_days: Annotated[int, Field(ge=2, le=730)] = 30
    first_check_in_days: Annotated[int, Field(ge=1, le=365)] = 30
    check_in_every_days: Annotated[int, Field(ge=7, le=365)] = 60
    check_in_at_close: bool = True
    check_in_grace_days: Annotated[int, Field(ge=0, le=90)] = 7


class RulesOut(RulesIn):
    version: int
