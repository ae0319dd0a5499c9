"""The state of a mentor's book and how each event changes it (no rules here).

The state is kept JSON-ready (ISO times, plain dicts), so a snapshot is the state as it is
and a restored book is indistinguishable from a folded one. The rules live in the commands
of :class:`~matching.domain.mentor_book.MentorBook`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Self

from chassis.domain import Aggregate, applies
from chassis.errors import NotFound
from matching.domain.mentor_events import (
    CLOSING_STATUS,
    GroupClosed,
    GroupOpened,
    InfoProvided,
    InfoRequested,
    MatchEnded,
    MatchStarted,
    MentorPaused,
    MentorResumed,
    RequestAccepted,
    RequestCancelled,
    RequestDeclined,
    RequestExpired,
    RequestReceived,
    RequestWithdrawn,
    TextsForgotten,
)

OPEN_STATUSES = frozenset({"open", "info_requested"})
#: stream ids keep their first prefix: they are stored
STREAM_PREFIX = "desk|"


def mentor_book_id(tenant_id: str, program_id: str, mentor_id: str) -> str:
    return f"{STREAM_PREFIX}{tenant_id}|{program_id}|{mentor_id}"


def parse_time(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment) if moment else None


class MentorBookState(Aggregate):
    """Requests addressed to one mentor in one program, their mentorships, groups, pause."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        _, self.tenant_id, self.program_id, self.mentor_id = stream_id.split("|", 3)
        self.requests: dict[str, dict[str, Any]] = {}
        self.matches: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.pause: dict[str, Any] | None = None
        self.unanswered_in_a_row = 0  # requests that expired since the mentor last answered

    # ----------------------------------------------------------------- snapshots

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "matches": self.matches,
            "groups": self.groups,
            "pause": self.pause,
            "unanswered_in_a_row": self.unanswered_in_a_row,
        }

    @classmethod
    def restore(cls, stream_id: str, version: int, state: Mapping[str, Any]) -> Self:
        book = cls(stream_id)
        book.version = version
        book.requests = dict(state["requests"])
        book.matches = dict(state["matches"])
        book.groups = dict(state["groups"])
        book.pause = state["pause"]
        book.unanswered_in_a_row = int(state["unanswered_in_a_row"])
        return book

    # ----------------------------------------------------------------- folding events

    @applies(RequestReceived)
    def _received(self, e: RequestReceived) -> None:
        self.requests[e.request_id] = {
            "request_id": e.request_id,
            "mentee_id": e.mentee_id,
            "mentee_user_id": e.mentee_user_id,
            "mentor_user_id": e.mentor_user_id,
            "group_id": e.group_id,
            "message": e.message,
            "requested_at": e.at,
            "expires_at": e.expires_at,
            "status": "open",
            "conversation": [],
            "updated_at": e.at,
        }

    def _converse(self, request_id: str, side: str, text: str, at: str, status: str) -> None:
        request = self.requests[request_id]
        request["status"] = status
        request["conversation"] = [
            *request["conversation"],
            {"from": side, "text": text, "at": at},
        ]
        request["updated_at"] = at

    @applies(InfoRequested)
    def _info_requested(self, e: InfoRequested) -> None:
        self.unanswered_in_a_row = 0
        self._converse(e.request_id, "mentor", e.text, e.at, "info_requested")

    @applies(InfoProvided)
    def _info_provided(self, e: InfoProvided) -> None:
        self._converse(e.request_id, "mentee", e.text, e.at, "open")

    def _close(
        self, e: RequestDeclined | RequestWithdrawn | RequestExpired | RequestCancelled
    ) -> None:
        request = self.requests[e.request_id]
        request["status"] = CLOSING_STATUS[type(e)]
        request["reason"] = e.reason
        request["note"] = e.note if isinstance(e, RequestDeclined) else None
        request["updated_at"] = e.at
        request["closed_at"] = e.at

    @applies(RequestDeclined)
    def _declined(self, e: RequestDeclined) -> None:
        self._close(e)
        self.unanswered_in_a_row = 0

    @applies(RequestWithdrawn)
    def _withdrawn(self, e: RequestWithdrawn) -> None:
        self._close(e)

    @applies(RequestExpired)
    def _expired(self, e: RequestExpired) -> None:
        self._close(e)
        self.unanswered_in_a_row += 1

    @applies(RequestCancelled)
    def _cancelled(self, e: RequestCancelled) -> None:
        self._close(e)

    @applies(RequestAccepted)
    def _accepted(self, e: RequestAccepted) -> None:
        self.unanswered_in_a_row = 0
        request = self.requests[e.request_id]
        request["status"] = "accepted"
        request["match_id"] = e.match_id
        request["updated_at"] = e.at
        request["closed_at"] = e.at

    @applies(MatchStarted)
    def _match_started(self, e: MatchStarted) -> None:
        self.matches[e.match_id] = {
            "match_id": e.match_id,
            "mentee_id": e.mentee_id,
            "mentee_user_id": e.mentee_user_id,
            "mentor_user_id": e.mentor_user_id,
            "mode": e.mode,
            "group_id": e.group_id,
            "origin": e.origin,
            "request_id": e.request_id,
            "round_id": e.round_id,
            "score": e.score,
            "status": "active",
            "started_at": e.at,
        }
        if e.group_id:
            group = self.groups[e.group_id]
            group["members"] = {**group["members"], e.mentee_id: e.match_id}

    @applies(MatchEnded)
    def _match_ended(self, e: MatchEnded) -> None:
        match = self.matches[e.match_id]
        match["status"] = "ended"
        match["ended_at"] = e.at
        match["end_reason"] = e.reason
        match["ended_by"] = e.ended_by
        if match.get("group_id") and match["group_id"] in self.groups:
            group = self.groups[match["group_id"]]
            members = dict(group["members"])
            members.pop(match["mentee_id"], None)
            group["members"] = members

    @applies(MentorPaused)
    def _paused(self, e: MentorPaused) -> None:
        self.pause = {
            "since": e.at,
            "until": e.until,
            "reason": e.reason,
            "note": e.note,
            "by": e.by,
            "mentor_user_id": e.mentor_user_id,
        }

    @applies(MentorResumed)
    def _resumed(self, e: MentorResumed) -> None:
        self.pause = None
        self.unanswered_in_a_row = 0

    @applies(GroupOpened)
    def _group_opened(self, e: GroupOpened) -> None:
        self.groups[e.group_id] = {
            "group_id": e.group_id,
            "title": e.title,
            "description": e.description,
            "capacity": e.capacity,
            "mentor_user_id": e.mentor_user_id,
            "status": "open",
            "members": {},
            "opened_at": e.at,
        }

    @applies(GroupClosed)
    def _group_closed(self, e: GroupClosed) -> None:
        self.groups[e.group_id]["status"] = "closed"

    @applies(TextsForgotten)
    def _texts_forgotten(self, e: TextsForgotten) -> None:
        for request_id in e.request_ids:
            request = self.requests[request_id]
            request["message"] = ""
            request["conversation"] = []
            request["note"] = None

    # ----------------------------------------------------------------- queries

    def active_one_to_one(self) -> int:
        return sum(
            1
            for m in self.matches.values()
            if m["status"] == "active" and m["mode"] == "one_to_one"
        )

    def active_mentee_ids(self) -> set[str]:
        return {m["mentee_id"] for m in self.matches.values() if m["status"] == "active"}

    def open_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests.values() if r["status"] in OPEN_STATUSES]

    def paused_at(self, now: datetime) -> bool:
        if self.pause is None:
            return False
        until = parse_time(self.pause.get("until"))
        return until is None or now < until

    def request(self, request_id: str) -> dict[str, Any]:
        try:
            return self.requests[request_id]
        except KeyError:
            raise NotFound("request not found") from None

    def match(self, match_id: str) -> dict[str, Any]:
        try:
            return self.matches[match_id]
        except KeyError:
            raise NotFound("match not found") from None

    def group(self, group_id: str) -> dict[str, Any]:
        try:
            return self.groups[group_id]
        except KeyError:
            raise NotFound("group not found") from None
