"""The events of a mentor's book (:class:`~matching.domain.mentor_book.MentorBook`).

Stored under these type names since the first release; times are ISO strings (the book's
state is JSON-ready, so a snapshot is the state as it is). Events whose shape grew have a
``VERSION`` above 1 and an upcaster that reads the older stored shape; stored events are
never rewritten (erasure aside, see ``EventStore.redact``).
"""

from __future__ import annotations

from typing import Any, Literal

from chassis.domain import DomainEvent, upcaster

EndedBy = Literal["mentor", "mentee", "admin", "system"]


class RequestReceived(DomainEvent):
    """v2: ``group_id`` and ``message`` are always written (v1 left them out)."""

    TYPE = "RequestReceived"
    VERSION = 2
    request_id: str
    mentee_id: str
    mentee_user_id: str
    mentor_user_id: str
    group_id: str | None
    message: str
    expires_at: str
    at: str


@upcaster(RequestReceived, from_version=1)
def _request_received_v1(data: dict[str, Any]) -> dict[str, Any]:
    return {"group_id": None, "message": "", **data}


class InfoRequested(DomainEvent):
    TYPE = "InfoRequested"
    request_id: str
    text: str
    at: str


class InfoProvided(DomainEvent):
    TYPE = "InfoProvided"
    request_id: str
    text: str
    at: str


class RequestDeclined(DomainEvent):
    TYPE = "RequestDeclined"
    request_id: str
    reason: str
    note: str | None = None
    at: str


class RequestWithdrawn(DomainEvent):
    TYPE = "RequestWithdrawn"
    request_id: str
    reason: str = "withdrawn"
    at: str


class RequestExpired(DomainEvent):
    TYPE = "RequestExpired"
    request_id: str
    reason: str = "expired"
    at: str


class RequestCancelled(DomainEvent):
    """Closed because a member left (``reason``: ``mentor_left`` / ``mentee_left``)."""

    TYPE = "RequestCancelled"
    request_id: str
    reason: str
    at: str


#: the events that close a request, and the status each leaves it in
CLOSING_STATUS: dict[type[DomainEvent], str] = {
    RequestDeclined: "declined",
    RequestWithdrawn: "withdrawn",
    RequestExpired: "expired",
    RequestCancelled: "cancelled",
}


class RequestAccepted(DomainEvent):
    TYPE = "RequestAccepted"
    request_id: str
    match_id: str
    at: str


class MatchStarted(DomainEvent):
    """v2: the optional links (group, request, round, score) are always written."""

    TYPE = "MatchStarted"
    VERSION = 2
    match_id: str
    mentee_id: str
    mentee_user_id: str
    mentor_user_id: str
    mode: Literal["one_to_one", "group"]
    group_id: str | None
    origin: Literal["request", "bulk_round"]
    request_id: str | None
    round_id: str | None
    score: float | None
    at: str


@upcaster(MatchStarted, from_version=1)
def _match_started_v1(data: dict[str, Any]) -> dict[str, Any]:
    return {"group_id": None, "request_id": None, "round_id": None, "score": None, **data}


class MatchEnded(DomainEvent):
    TYPE = "MatchEnded"
    match_id: str
    reason: str
    ended_by: EndedBy
    ended_by_user_id: str | None = None
    at: str


class MentorPaused(DomainEvent):
    """v2: who paused (``by``) and the note for the mentor (automatic pauses) are written;
    v1 pauses were the mentor's own, without a note."""

    TYPE = "MentorPaused"
    VERSION = 2
    until: str | None
    reason: str | None
    note: str | None
    by: Literal["mentor", "system"]
    mentor_user_id: str | None
    at: str


@upcaster(MentorPaused, from_version=1)
def _mentor_paused_v1(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "until": None,
        "reason": None,
        "note": None,
        "by": "mentor",
        "mentor_user_id": None,
        **data,
    }


class MentorResumed(DomainEvent):
    TYPE = "MentorResumed"
    by: Literal["mentor", "system"]
    mentor_user_id: str | None
    at: str


class GroupOpened(DomainEvent):
    TYPE = "GroupOpened"
    group_id: str
    title: str
    description: str | None = None
    capacity: int
    mentor_user_id: str
    at: str


class GroupClosed(DomainEvent):
    TYPE = "GroupClosed"
    group_id: str
    at: str


class TextsForgotten(DomainEvent):
    """Erasure: what was written in these requests is blanked in the state."""

    TYPE = "TextsForgotten"
    request_ids: list[str]
    at: str
