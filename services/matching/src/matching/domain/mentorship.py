"""A mentor's desk: the event-sourced aggregate behind requests, matches and capacity.

One stream per mentor and program holds every request addressed to the mentor, the
mentorships (one-to-one and group) they run, their groups and their pause. Because capacity
is decided inside one stream, appending with the expected version makes it safe under
concurrency: two acceptances that both saw a free slot race for the same version and the
event store lets only one of them in; the loser reloads and sees the mentor full.

Commands validate, then *record* events (applied at once, appended by the application).
A command that raises has recorded nothing of its own; it may leave behind expiry events
recorded by :meth:`MentorDesk.expire_due` before it, which are facts worth keeping.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from chassis.eventstore import Aggregate

REQUEST_RECEIVED = "RequestReceived"
INFO_REQUESTED = "InfoRequested"
INFO_PROVIDED = "InfoProvided"
REQUEST_DECLINED = "RequestDeclined"
REQUEST_WITHDRAWN = "RequestWithdrawn"
REQUEST_EXPIRED = "RequestExpired"
REQUEST_CANCELLED = "RequestCancelled"
REQUEST_ACCEPTED = "RequestAccepted"
MATCH_STARTED = "MatchStarted"
MATCH_ENDED = "MatchEnded"
MENTOR_PAUSED = "MentorPaused"
#: ``reason`` of a pause the desk made itself because requests kept expiring unanswered.
AUTO_PAUSE_REASON = "unanswered_requests"
MENTOR_RESUMED = "MentorResumed"
GROUP_OPENED = "GroupOpened"
GROUP_CLOSED = "GroupClosed"
TEXTS_FORGOTTEN = "TextsForgotten"

OPEN_STATUSES = frozenset({"open", "info_requested"})
EndedBy = Literal["mentor", "mentee", "admin", "system"]


class RequestClosed(Conflict):
    """The request can no longer be answered (accepted, declined, withdrawn, expired)."""

    title = "Request closed"


class AtCapacity(Conflict):
    title = "Mentor at capacity"


def desk_stream_id(tenant_id: str, program_id: str, mentor_id: str) -> str:
    return f"desk|{tenant_id}|{program_id}|{mentor_id}"


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _parse(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment) if moment else None


class MentorDesk(Aggregate):
    """State is kept JSON-ready (ISO datetimes), so a snapshot is just ``state()``."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        _, self.tenant_id, self.program_id, self.mentor_id = stream_id.split("|", 3)
        self.requests: dict[str, dict[str, Any]] = {}
        self.matches: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.pause: dict[str, Any] | None = None
        self.unanswered_in_a_row = 0  # requests that expired since the mentor last answered

    # ----------------------------------------------------------------- state and snapshots

    def state(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "matches": self.matches,
            "groups": self.groups,
            "pause": self.pause,
            "unanswered_in_a_row": self.unanswered_in_a_row,
        }

    @classmethod
    def restore(cls, stream_id: str, version: int, state: Mapping[str, Any]) -> MentorDesk:
        desk = cls(stream_id)
        desk.version = version
        desk.requests = dict(state.get("requests") or {})
        desk.matches = dict(state.get("matches") or {})
        desk.groups = dict(state.get("groups") or {})
        desk.pause = state.get("pause")
        desk.unanswered_in_a_row = int(state.get("unanswered_in_a_row") or 0)
        return desk

    def apply(self, event_type: str, data: Mapping[str, Any]) -> None:
        if event_type == REQUEST_RECEIVED:
            self.requests[data["request_id"]] = {
                "request_id": data["request_id"],
                "mentee_id": data["mentee_id"],
                "mentee_user_id": data["mentee_user_id"],
                "mentor_user_id": data["mentor_user_id"],
                "group_id": data.get("group_id"),
                "message": data.get("message", ""),
                "requested_at": data["at"],
                "expires_at": data["expires_at"],
                "status": "open",
                "conversation": [],
                "updated_at": data["at"],
            }
        elif event_type in (INFO_REQUESTED, INFO_PROVIDED):
            if event_type == INFO_REQUESTED:
                self.unanswered_in_a_row = 0
            request = self.requests[data["request_id"]]
            request["status"] = "info_requested" if event_type == INFO_REQUESTED else "open"
            request["conversation"] = [
                *request.get("conversation", []),
                {
                    "from": "mentor" if event_type == INFO_REQUESTED else "mentee",
                    "text": data["text"],
                    "at": data["at"],
                },
            ]
            request["updated_at"] = data["at"]
        elif event_type in (
            REQUEST_DECLINED,
            REQUEST_WITHDRAWN,
            REQUEST_EXPIRED,
            REQUEST_CANCELLED,
        ):
            request = self.requests[data["request_id"]]
            request["status"] = {
                REQUEST_DECLINED: "declined",
                REQUEST_WITHDRAWN: "withdrawn",
                REQUEST_EXPIRED: "expired",
                REQUEST_CANCELLED: "cancelled",
            }[event_type]
            request["reason"] = data.get("reason")
            request["note"] = data.get("note")
            request["updated_at"] = data["at"]
            request["closed_at"] = data["at"]
            if event_type == REQUEST_EXPIRED:
                self.unanswered_in_a_row += 1
            elif event_type == REQUEST_DECLINED:
                self.unanswered_in_a_row = 0
        elif event_type == REQUEST_ACCEPTED:
            self.unanswered_in_a_row = 0
            request = self.requests[data["request_id"]]
            request["status"] = "accepted"
            request["match_id"] = data["match_id"]
            request["updated_at"] = data["at"]
            request["closed_at"] = data["at"]
        elif event_type == MATCH_STARTED:
            self.matches[data["match_id"]] = {
                "match_id": data["match_id"],
                "mentee_id": data["mentee_id"],
                "mentee_user_id": data["mentee_user_id"],
                "mentor_user_id": data["mentor_user_id"],
                "mode": data["mode"],
                "group_id": data.get("group_id"),
                "origin": data["origin"],
                "request_id": data.get("request_id"),
                "round_id": data.get("round_id"),
                "score": data.get("score"),
                "status": "active",
                "started_at": data["at"],
            }
            if data.get("group_id"):
                group = self.groups[data["group_id"]]
                group["members"] = {**group.get("members", {}), data["mentee_id"]: data["match_id"]}
        elif event_type == MATCH_ENDED:
            match = self.matches[data["match_id"]]
            match["status"] = "ended"
            match["ended_at"] = data["at"]
            match["end_reason"] = data["reason"]
            match["ended_by"] = data["ended_by"]
            if match.get("group_id") and match["group_id"] in self.groups:
                group = self.groups[match["group_id"]]
                members = dict(group.get("members", {}))
                members.pop(match["mentee_id"], None)
                group["members"] = members
        elif event_type == MENTOR_PAUSED:
            self.pause = {
                "since": data["at"],
                "until": data.get("until"),
                "reason": data.get("reason"),
                "note": data.get("note"),
                "by": data.get("by", "mentor"),
                "mentor_user_id": data.get("mentor_user_id"),
            }
        elif event_type == MENTOR_RESUMED:
            self.pause = None
            self.unanswered_in_a_row = 0
        elif event_type == GROUP_OPENED:
            self.groups[data["group_id"]] = {
                "group_id": data["group_id"],
                "title": data["title"],
                "description": data.get("description"),
                "capacity": data["capacity"],
                "mentor_user_id": data["mentor_user_id"],
                "status": "open",
                "members": {},
                "opened_at": data["at"],
            }
        elif event_type == GROUP_CLOSED:
            self.groups[data["group_id"]]["status"] = "closed"
        elif event_type == TEXTS_FORGOTTEN:
            for request_id in data["request_ids"]:
                request = self.requests[request_id]
                request["message"] = ""
                request["conversation"] = []
                request["note"] = None
        else:  # pragma: no cover - a new event type without a fold is a bug
            raise ValueError(f"unknown desk event {event_type}")

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
        until = _parse(self.pause.get("until"))
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

    # ----------------------------------------------------------------- commands

    def expire_due(self, now: datetime, *, pause_after: int | None = None) -> list[str]:
        """Record the expiry of every open request whose answer time has passed.

        With ``pause_after``, a mentor whose last ``pause_after`` requests all expired
        unanswered stops receiving new ones: the desk pauses itself and says why (the
        mentor resumes with one call, which also clears the count).
        """
        expired = []
        for request in self.open_requests():
            expires_at = _parse(request["expires_at"])
            if expires_at is not None and now >= expires_at:
                self.record(
                    REQUEST_EXPIRED,
                    {"request_id": request["request_id"], "reason": "expired", "at": _iso(now)},
                )
                expired.append(request["request_id"])
        if pause_after and self.unanswered_in_a_row >= pause_after and self.pause is None:
            self.record(
                MENTOR_PAUSED,
                {
                    "until": None,
                    "reason": AUTO_PAUSE_REASON,
                    "note": (
                        f"Paused automatically: your last {self.unanswered_in_a_row} "
                        "mentorship requests expired without an answer, so mentees were "
                        "offered other mentors. Resume when you can answer new requests."
                    ),
                    "by": "system",
                    "mentor_user_id": self._mentor_user_id(),
                    "at": _iso(now),
                },
            )
        return expired

    def _mentor_user_id(self) -> str | None:
        """The mentor's user id, as the latest request or mentorship names it."""
        for entry in (*reversed(self.requests.values()), *reversed(self.matches.values())):
            if entry.get("mentor_user_id"):
                return str(entry["mentor_user_id"])
        return None

    def end_pause_if_due(self, now: datetime) -> bool:
        if self.pause is not None and not self.paused_at(now):
            self.record(
                MENTOR_RESUMED,
                {"at": _iso(now), "by": "system", "mentor_user_id": self.pause["mentor_user_id"]},
            )
            return True
        return False

    def receive_request(
        self,
        *,
        request_id: str,
        mentee_id: str,
        mentee_user_id: str,
        mentor_user_id: str,
        message: str,
        now: datetime,
        expires_at: datetime,
        capacity: int,
        group_id: str | None = None,
    ) -> None:
        self.expire_due(now)
        if mentee_id == self.mentor_id or mentee_user_id == mentor_user_id:
            raise InvalidInput("you cannot ask yourself for mentorship", field="mentor_id")
        if request_id in self.requests:
            raise Conflict("a request with this id already exists")
        for request in self.open_requests():
            if request["mentee_id"] == mentee_id and request.get("group_id") == group_id:
                raise Conflict(
                    "you already have an open request to this mentor "
                    f"(request {request['request_id']})",
                    request_id=request["request_id"],
                )
        if group_id is None:
            if self.paused_at(now):
                raise Conflict("this mentor is not taking new mentees right now")
            if any(
                m["mentee_id"] == mentee_id
                and m["status"] == "active"
                and m["mode"] == "one_to_one"
                for m in self.matches.values()
            ):
                raise Conflict("you already have a mentorship with this mentor")
            if self.active_one_to_one() >= capacity:
                raise AtCapacity(
                    f"this mentor is at capacity ({capacity} mentees); try another mentor"
                )
        else:
            group = self.group(group_id)
            if group["status"] != "open":
                raise Conflict("this group is closed")
            if mentee_id in group.get("members", {}):
                raise Conflict("you are already in this group")
            if len(group.get("members", {})) >= group["capacity"]:
                raise AtCapacity("this group is full")
        self.record(
            REQUEST_RECEIVED,
            {
                "request_id": request_id,
                "mentee_id": mentee_id,
                "mentee_user_id": mentee_user_id,
                "mentor_user_id": mentor_user_id,
                "group_id": group_id,
                "message": message,
                "expires_at": _iso(expires_at),
                "at": _iso(now),
            },
        )

    def _answerable(self, request_id: str, now: datetime) -> dict[str, Any]:
        request = self.request(request_id)
        if request["status"] not in OPEN_STATUSES:
            raise RequestClosed(
                f"this request is {request['status']} and can no longer be answered",
                request_status=request["status"],
            )
        return request

    def ask_for_info(self, request_id: str, question: str, now: datetime) -> None:
        self.expire_due(now)
        self._answerable(request_id, now)
        self.record(INFO_REQUESTED, {"request_id": request_id, "text": question, "at": _iso(now)})

    def provide_info(self, request_id: str, answer: str, now: datetime) -> None:
        self.expire_due(now)
        request = self._answerable(request_id, now)
        if request["status"] != "info_requested":
            raise Conflict("the mentor has not asked for more information")
        self.record(INFO_PROVIDED, {"request_id": request_id, "text": answer, "at": _iso(now)})

    def decline(self, request_id: str, reason: str, note: str | None, now: datetime) -> None:
        self.expire_due(now)
        self._answerable(request_id, now)
        self.record(
            REQUEST_DECLINED,
            {"request_id": request_id, "reason": reason, "note": note, "at": _iso(now)},
        )

    def withdraw(self, request_id: str, now: datetime) -> None:
        self.expire_due(now)
        self._answerable(request_id, now)
        self.record(
            REQUEST_WITHDRAWN, {"request_id": request_id, "reason": "withdrawn", "at": _iso(now)}
        )

    def cancel_requests_of(self, member_id: str, reason: str, now: datetime) -> list[str]:
        """Close every open request involving ``member_id`` (the member left)."""
        cancelled = []
        for request in self.open_requests():
            if member_id in (self.mentor_id, request["mentee_id"]):
                self.record(
                    REQUEST_CANCELLED,
                    {"request_id": request["request_id"], "reason": reason, "at": _iso(now)},
                )
                cancelled.append(request["request_id"])
        return cancelled

    def forget_texts_of(self, member_id: str, now: datetime) -> list[str]:
        """Erasure: drop what was written in the requests involving ``member_id``."""
        request_ids = [
            r["request_id"]
            for r in self.requests.values()
            if member_id in (self.mentor_id, r["mentee_id"])
            and (r.get("message") or r.get("conversation") or r.get("note"))
        ]
        if request_ids:
            self.record(TEXTS_FORGOTTEN, {"request_ids": request_ids, "at": _iso(now)})
        return request_ids

    def accept(
        self,
        request_id: str,
        *,
        match_id: str,
        capacity: int,
        now: datetime,
        score: float | None,
    ) -> dict[str, Any]:
        self.expire_due(now)
        request = self._answerable(request_id, now)
        group_id = request.get("group_id")
        if group_id is None:
            if self.active_one_to_one() >= capacity:
                raise AtCapacity(
                    f"you are at capacity ({capacity} mentees); end a mentorship or raise "
                    "your capacity before accepting"
                )
        else:
            group = self.group(group_id)
            if group["status"] != "open":
                raise Conflict("this group is closed")
            if len(group.get("members", {})) >= group["capacity"]:
                raise AtCapacity("this group is full")
        self.record(
            REQUEST_ACCEPTED, {"request_id": request_id, "match_id": match_id, "at": _iso(now)}
        )
        self._start(
            match_id=match_id,
            mentee_id=request["mentee_id"],
            mentee_user_id=request["mentee_user_id"],
            mentor_user_id=request["mentor_user_id"],
            group_id=group_id,
            origin="request",
            request_id=request_id,
            round_id=None,
            score=score,
            now=now,
        )
        return self.matches[match_id]

    def start_from_round(
        self,
        *,
        match_id: str,
        mentee_id: str,
        mentee_user_id: str,
        mentor_user_id: str,
        round_id: str,
        score: float | None,
        capacity: int,
        now: datetime,
    ) -> bool:
        """A published bulk-round pair. Idempotent: a match id seen before is a no-op."""
        if match_id in self.matches:
            return False
        if any(
            m["mentee_id"] == mentee_id and m["status"] == "active" for m in self.matches.values()
        ):
            raise Conflict("already matched with this mentor")
        if self.active_one_to_one() >= capacity:
            raise AtCapacity("mentor has no free capacity any more")
        self._start(
            match_id=match_id,
            mentee_id=mentee_id,
            mentee_user_id=mentee_user_id,
            mentor_user_id=mentor_user_id,
            group_id=None,
            origin="bulk_round",
            request_id=None,
            round_id=round_id,
            score=score,
            now=now,
        )
        return True

    def _start(self, *, group_id: str | None, now: datetime, **fields: Any) -> None:
        self.record(
            MATCH_STARTED,
            {
                **fields,
                "mode": "group" if group_id else "one_to_one",
                "group_id": group_id,
                "at": _iso(now),
            },
        )

    def end_match(
        self,
        match_id: str,
        *,
        reason: str,
        ended_by: EndedBy,
        ended_by_user_id: str | None,
        now: datetime,
    ) -> None:
        match = self.match(match_id)
        if match["status"] != "active":
            raise Conflict("this mentorship has already ended")
        self.record(
            MATCH_ENDED,
            {
                "match_id": match_id,
                "reason": reason,
                "ended_by": ended_by,
                "ended_by_user_id": ended_by_user_id,
                "at": _iso(now),
            },
        )

    def pause_intake(
        self, *, until: datetime | None, reason: str | None, mentor_user_id: str, now: datetime
    ) -> None:
        if until is not None and until <= now:
            raise InvalidInput("until must be in the future", field="until")
        self.record(
            MENTOR_PAUSED,
            {
                "until": _iso(until) if until else None,
                "reason": reason,
                "mentor_user_id": mentor_user_id,
                "at": _iso(now),
            },
        )

    def resume_intake(self, mentor_user_id: str, now: datetime) -> bool:
        if self.pause is None:
            return False
        self.record(
            MENTOR_RESUMED, {"at": _iso(now), "by": "mentor", "mentor_user_id": mentor_user_id}
        )
        return True

    def open_group(
        self,
        *,
        group_id: str,
        title: str,
        description: str | None,
        capacity: int,
        mentor_user_id: str,
        now: datetime,
    ) -> None:
        if group_id in self.groups:
            raise Conflict("a group with this id already exists")
        self.record(
            GROUP_OPENED,
            {
                "group_id": group_id,
                "title": title,
                "description": description,
                "capacity": capacity,
                "mentor_user_id": mentor_user_id,
                "at": _iso(now),
            },
        )

    def close_group(self, group_id: str, now: datetime) -> None:
        group = self.group(group_id)
        if group["status"] != "open":
            raise Conflict("this group is already closed")
        self.record(GROUP_CLOSED, {"group_id": group_id, "at": _iso(now)})


def require_party(
    request_or_match: Mapping[str, Any], mentor_id: str, member_id: str | None
) -> Literal["mentor", "mentee"]:
    """Which side ``member_id`` is on; NotFound when neither (ids don't leak)."""
    if member_id is not None and member_id == mentor_id:
        return "mentor"
    if member_id is not None and member_id == request_or_match.get("mentee_id"):
        return "mentee"
    raise NotFound("not found")


def only(side: str, wanted: str, action: str) -> None:
    if side != wanted:
        raise Forbidden(f"only the {wanted} can {action}")
