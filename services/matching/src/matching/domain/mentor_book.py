"""A mentor's book: the event-sourced aggregate behind requests, matches and capacity.

One stream per mentor and program holds every request addressed to the mentor, the
mentorships (one-to-one and group) they run, their groups and their pause. Because capacity
is decided inside one stream, appending with the expected version makes it safe under
concurrency: two acceptances that both saw a free slot race for the same version and the
event store lets only one of them in; the loser reloads and sees the mentor full.

Commands validate, then *record* events (applied at once, saved by the application). A
command that raises has recorded nothing of its own; it may leave behind expiry events
recorded by :meth:`MentorBook.expire_due` before it, which are facts worth keeping.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chassis.errors import Conflict, InvalidInput
from matching.domain.mentor_book_state import (
    OPEN_STATUSES,
    MentorBookState,
    mentor_book_id,
    parse_time,
)
from matching.domain.mentor_events import (
    EndedBy,
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

__all__ = [
    "AUTO_PAUSE_REASON",
    "OPEN_STATUSES",
    "AtCapacity",
    "MentorBook",
    "RequestClosed",
    "mentor_book_id",
]

#: ``reason`` of a pause the book made itself because requests kept expiring unanswered.
AUTO_PAUSE_REASON = "unanswered_requests"


class RequestClosed(Conflict):
    """The request can no longer be answered (accepted, declined, withdrawn, expired)."""

    title = "Request closed"


class AtCapacity(Conflict):
    title = "Mentor at capacity"


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class MentorBook(MentorBookState):
    # ----------------------------------------------------------------- time passing

    def expire_due(self, now: datetime, *, pause_after: int | None = None) -> list[str]:
        """Record the expiry of every open request whose answer time has passed.

        With ``pause_after``, a mentor whose last ``pause_after`` requests all expired
        unanswered stops receiving new ones: the book pauses itself and says why (the
        mentor resumes with one call, which also clears the count).
        """
        expired = []
        for request in self.open_requests():
            expires_at = parse_time(request["expires_at"])
            if expires_at is not None and now >= expires_at:
                self.record(RequestExpired(request_id=request["request_id"], at=_iso(now)))
                expired.append(request["request_id"])
        if pause_after and self.unanswered_in_a_row >= pause_after and self.pause is None:
            note = (
                f"Paused automatically: your last {self.unanswered_in_a_row} "
                "mentorship requests expired without an answer, so mentees were "
                "offered other mentors. Resume when you can answer new requests."
            )
            self.record(
                MentorPaused(
                    until=None,
                    reason=AUTO_PAUSE_REASON,
                    note=note,
                    by="system",
                    mentor_user_id=self._mentor_user_id(),
                    at=_iso(now),
                )
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
                MentorResumed(
                    by="system", mentor_user_id=self.pause["mentor_user_id"], at=_iso(now)
                )
            )
            return True
        return False

    # ----------------------------------------------------------------- requests

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
            self._check_one_to_one_intake(mentee_id, capacity, now)
        else:
            self._check_group_seat(group_id, mentee_id)
        self.record(
            RequestReceived(
                request_id=request_id,
                mentee_id=mentee_id,
                mentee_user_id=mentee_user_id,
                mentor_user_id=mentor_user_id,
                group_id=group_id,
                message=message,
                expires_at=_iso(expires_at),
                at=_iso(now),
            )
        )

    def _check_one_to_one_intake(self, mentee_id: str, capacity: int, now: datetime) -> None:
        if self.paused_at(now):
            raise Conflict("this mentor is not taking new mentees right now")
        if any(
            m["mentee_id"] == mentee_id and m["status"] == "active" and m["mode"] == "one_to_one"
            for m in self.matches.values()
        ):
            raise Conflict("you already have a mentorship with this mentor")
        if self.active_one_to_one() >= capacity:
            raise AtCapacity(f"this mentor is at capacity ({capacity} mentees); try another mentor")

    def _check_group_seat(self, group_id: str, mentee_id: str | None) -> None:
        group = self.group(group_id)
        if group["status"] != "open":
            raise Conflict("this group is closed")
        if mentee_id is not None and mentee_id in group["members"]:
            raise Conflict("you are already in this group")
        if len(group["members"]) >= group["capacity"]:
            raise AtCapacity("this group is full")

    def _answerable(self, request_id: str) -> dict[str, Any]:
        request = self.request(request_id)
        if request["status"] not in OPEN_STATUSES:
            raise RequestClosed(
                f"this request is {request['status']} and can no longer be answered",
                request_status=request["status"],
            )
        return request

    def ask_for_info(self, request_id: str, question: str, now: datetime) -> None:
        self.expire_due(now)
        self._answerable(request_id)
        self.record(InfoRequested(request_id=request_id, text=question, at=_iso(now)))

    def provide_info(self, request_id: str, answer: str, now: datetime) -> None:
        self.expire_due(now)
        request = self._answerable(request_id)
        if request["status"] != "info_requested":
            raise Conflict("the mentor has not asked for more information")
        self.record(InfoProvided(request_id=request_id, text=answer, at=_iso(now)))

    def decline(self, request_id: str, reason: str, note: str | None, now: datetime) -> None:
        self.expire_due(now)
        self._answerable(request_id)
        self.record(RequestDeclined(request_id=request_id, reason=reason, note=note, at=_iso(now)))

    def withdraw(self, request_id: str, now: datetime) -> None:
        self.expire_due(now)
        self._answerable(request_id)
        self.record(RequestWithdrawn(request_id=request_id, at=_iso(now)))

    def cancel_requests_of(self, member_id: str, reason: str, now: datetime) -> list[str]:
        """Close every open request involving ``member_id`` (the member left)."""
        cancelled = []
        for request in self.open_requests():
            if member_id in (self.mentor_id, request["mentee_id"]):
                self.record(
                    RequestCancelled(request_id=request["request_id"], reason=reason, at=_iso(now))
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
            self.record(TextsForgotten(request_ids=request_ids, at=_iso(now)))
        return request_ids

    # ----------------------------------------------------------------- mentorships

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
        request = self._answerable(request_id)
        group_id = request.get("group_id")
        if group_id is None:
            if self.active_one_to_one() >= capacity:
                raise AtCapacity(
                    f"you are at capacity ({capacity} mentees); end a mentorship or raise "
                    "your capacity before accepting"
                )
        else:
            self._check_group_seat(group_id, None)
        self.record(RequestAccepted(request_id=request_id, match_id=match_id, at=_iso(now)))
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
        mode = "group" if group_id else "one_to_one"
        self.record(MatchStarted(**fields, mode=mode, group_id=group_id, at=_iso(now)))

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
            MatchEnded(
                match_id=match_id,
                reason=reason,
                ended_by=ended_by,
                ended_by_user_id=ended_by_user_id,
                at=_iso(now),
            )
        )

    def end_matches_of(self, member_id: str, reason: str, now: datetime) -> None:
        """The member left: every active mentorship they are part of ends (by the system)."""
        for match_id, match in list(self.matches.items()):
            if match["status"] == "active" and member_id in (self.mentor_id, match["mentee_id"]):
                self.end_match(
                    match_id, reason=reason, ended_by="system", ended_by_user_id=None, now=now
                )

    # ----------------------------------------------------------------- pauses and groups

    def pause_intake(
        self, *, until: datetime | None, reason: str | None, mentor_user_id: str, now: datetime
    ) -> None:
        if until is not None and until <= now:
            raise InvalidInput("until must be in the future", field="until")
        self.record(
            MentorPaused(
                until=_iso(until) if until else None,
                reason=reason,
                note=None,
                by="mentor",
                mentor_user_id=mentor_user_id,
                at=_iso(now),
            )
        )

    def resume_intake(self, mentor_user_id: str, now: datetime) -> bool:
        if self.pause is None:
            return False
        self.record(MentorResumed(by="mentor", mentor_user_id=mentor_user_id, at=_iso(now)))
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
            GroupOpened(
                group_id=group_id,
                title=title,
                description=description,
                capacity=capacity,
                mentor_user_id=mentor_user_id,
                at=_iso(now),
            )
        )

    def close_group(self, group_id: str, now: datetime) -> None:
        group = self.group(group_id)
        if group["status"] != "open":
            raise Conflict("this group is already closed")
        self.record(GroupClosed(group_id=group_id, at=_iso(now)))
