"""Bulk rounds: pins and vetoes, publishing, and the views of rounds, runs and publications."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from matching.entrypoints.schemas.base import Body, Explanation, Id, Out


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
