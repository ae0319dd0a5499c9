"""A check-in answer: one person's 1-5 score and comment for one round of a mentorship.

One stream per (mentorship, round, person): ``check-in:<tenant>:<match>:<round>:<user>``.
Its first commit is the answer, so a second answer to the same round is refused by the
store's unique index (the one write that is atomic everywhere), not by a read first.
A public comment is read by the pair and the admins; a private one by its author and
the program's admins only.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from chassis.domain import Aggregate, DomainEvent, applies
from chassis.errors import Conflict

Visibility = Literal["public", "private"]


class CheckInAnswered(DomainEvent):
    TYPE = "CheckInAnswered"
    tenant_id: str
    program_id: str
    match_id: str
    round: str
    user_id: str
    role: Literal["mentor", "mentee"]
    score: int
    comment: str = ""
    visibility: Visibility
    answered_at: datetime


class CheckInAnswer(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.answer: dict[str, object] | None = None

    @staticmethod
    def stream_of(tenant_id: str, match_id: str, round_name: str, user_id: str) -> str:
        return f"check-in:{tenant_id}:{match_id}:{round_name}:{user_id}"

    @staticmethod
    def answer_id_of(stream_id: str) -> str:
        """A stable, opaque id for the answer (the user id may hold any characters)."""
        return "ci-" + hashlib.sha256(stream_id.encode()).hexdigest()[:24]

    def answer_with(self, event: CheckInAnswered) -> None:
        if self.answer is not None:
            raise Conflict("you answered this check-in already")
        self.record(event)

    @applies(CheckInAnswered)
    def _answered(self, e: CheckInAnswered) -> None:
        self.tenant_id = e.tenant_id
        self.answer = e.model_dump(mode="json")
