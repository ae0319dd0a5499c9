"""Request and response bodies of the knowledge API (every string and list bounded)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class DraftEdit(BaseModel):
    """Changes to a draft; fields left out keep their value. Text is redacted again."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    question: Text | None = None
    answer: Text | None = None
    topics: Annotated[list[Tag], Field(max_length=8)] | None = None
    expertise_area: Tag | None = None
    clear_expertise_area: bool = False


class AuthorOut(BaseModel):
    role: Literal["mentor", "mentee"]
    name: str | None = Field(description="Only for an author who agreed to be credited.")
    user_id: str | None = None


class SourceOut(BaseModel):
    conversation_id: str


class EntryOut(BaseModel):
    id: str
    program_id: str
    status: Literal["draft", "published"]
    version: int
    title: str
    question: str
    answer: str
    topics: list[str]
    expertise_area: str | None
    authors: list[AuthorOut]
    published_at: str | None
    duplicate_of: str | None
    related_entry_ids: list[str]
    helpful: int
    voted_helpful: bool
    source: SourceOut | None = Field(description="Only for members of the source conversation.")
    approved_by: list[str] | None = Field(default=None, description="Drafts: who approved.")
    redactions: dict[str, int] | None = Field(
        default=None, description="Drafts: how many e-mails, phones, links, names were masked."
    )


class WithdrawnOut(BaseModel):
    id: str
    status: Literal["withdrawn"]


class EntrySummary(BaseModel):
    id: str
    title: str
    question: str
    topics: list[str]
    expertise_area: str | None
    published_at: str
    score: float
    duplicates: int = Field(description="Near-duplicates listed under this entry.")
    helpful: int


class TopicOut(BaseModel):
    topic: str
    entries: int


class VoteOut(BaseModel):
    entry_id: str
    helpful: int
    counted: bool = Field(description="False when the member had voted already.")


class Candidate(BaseModel):
    member_id: str
    user_id: str
    display_name: str


class AreaOut(BaseModel):
    area: str
    entries: int
    status: Literal["covered", "thin", "missing"]
    mentors: int
    could_fill: list[Candidate]


class CoverageOut(BaseModel):
    program_id: str
    covered_at: int
    areas: list[AreaOut]
