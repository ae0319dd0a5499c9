"""A bulk matching round of a formal program: runs kept with their inputs, then published.

An admin opens a round, runs it (possibly several times, with pinned and forbidden pairs),
and publishes one run. Each run is recorded with digests of its inputs and result, so a
re-run on the same inputs can be shown to give the same result. Publishing is two-step
(``RoundPublishing`` then ``RoundPublished``) so a publish interrupted half-way can be
resumed: the matches it starts have ids derived from the round and the mentee, and a
mentor's book ignores a match id it already has.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Self

from chassis.domain import Aggregate, DomainEvent, applies
from chassis.errors import Conflict, NotFound


def round_stream_id(tenant_id: str, program_id: str, round_id: str) -> str:
    return f"round|{tenant_id}|{program_id}|{round_id}"


class RoundOpened(DomainEvent):
    TYPE = "RoundOpened"
    by: str
    at: str


class RoundRun(DomainEvent):
    """A run's summary (digests, counts, pins); its full inputs and result are a document."""

    TYPE = "RoundRun"
    run: int
    by: str
    at: str
    input_digest: str
    result_digest: str
    matched: int
    unmatched: int
    total_score: float
    pinned: list[dict[str, str]]
    forbidden: list[dict[str, str]]


class RoundPublishing(DomainEvent):
    TYPE = "RoundPublishing"
    run: int
    by: str
    at: str


class RoundPublished(DomainEvent):
    TYPE = "RoundPublished"
    run: int
    published: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    at: str


class BulkRound(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        _, self.tenant_id, self.program_id, self.round_id = stream_id.split("|", 3)
        self.status = "new"
        self.opened_by: str | None = None
        self.opened_at: str | None = None
        self.runs: list[dict[str, Any]] = []
        self.publishing_run: int | None = None
        self.published: dict[str, Any] | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "opened_by": self.opened_by,
            "opened_at": self.opened_at,
            "runs": self.runs,
            "publishing_run": self.publishing_run,
            "published": self.published,
        }

    @classmethod
    def restore(cls, stream_id: str, version: int, state: Mapping[str, Any]) -> Self:
        round_ = cls(stream_id)
        round_.version = version
        for key in round_.snapshot():
            setattr(round_, key, state[key])
        return round_

    # ------------------------------------------------------------------ folding events

    @applies(RoundOpened)
    def _opened(self, e: RoundOpened) -> None:
        self.status = "draft"
        self.opened_by = e.by
        self.opened_at = e.at

    @applies(RoundRun)
    def _run(self, e: RoundRun) -> None:
        self.runs = [*self.runs, e.to_stored()]

    @applies(RoundPublishing)
    def _publishing(self, e: RoundPublishing) -> None:
        self.status = "publishing"
        self.publishing_run = e.run

    @applies(RoundPublished)
    def _published(self, e: RoundPublished) -> None:
        self.status = "published"
        self.published = e.to_stored()

    # ------------------------------------------------------------------ commands

    def open(self, by: str, now: datetime) -> None:
        if self.status != "new":
            raise Conflict("this round already exists")
        self.record(RoundOpened(by=by, at=now.isoformat()))

    def record_run(self, *, by: str, now: datetime, summary: Mapping[str, Any]) -> int:
        if self.status != "draft":
            raise Conflict(f"this round is {self.status}; open a new round to match again")
        number = len(self.runs) + 1
        self.record(RoundRun(**summary, run=number, by=by, at=now.isoformat()))
        return number

    def run(self, number: int | None) -> dict[str, Any]:
        if not self.runs:
            raise Conflict("this round has not been run yet")
        if number is None:
            return self.runs[-1]
        if not 1 <= number <= len(self.runs):
            raise NotFound(f"run {number} not found (this round has {len(self.runs)} runs)")
        return self.runs[number - 1]

    def start_publishing(self, number: int | None, by: str, now: datetime) -> int:
        """Returns the run to publish; resuming an interrupted publish of it is allowed."""
        if self.status == "published":
            raise Conflict("this round is already published")
        if self.status == "publishing":
            if number is not None and number != self.publishing_run:
                raise Conflict(
                    f"run {self.publishing_run} of this round is being published already"
                )
            assert self.publishing_run is not None
            return self.publishing_run
        run = self.run(number)
        self.record(RoundPublishing(run=run["run"], by=by, at=now.isoformat()))
        return int(run["run"])

    def finish_publishing(
        self, *, published: list[dict[str, Any]], skipped: list[dict[str, Any]], now: datetime
    ) -> None:
        if self.status != "publishing":
            raise Conflict("this round is not being published")
        assert self.publishing_run is not None
        self.record(
            RoundPublished(
                run=self.publishing_run, published=published, skipped=skipped, at=now.isoformat()
            )
        )
