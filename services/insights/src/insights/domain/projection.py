"""The read model of a program, as a pure fold of the platform's events.

Insights learns about the platform only from Kafka, and must be able to drop its read
model and rebuild it by replaying the topics. So the read model is a fold whose result
does not depend on the order in which *different* topics are read (a replay reads them in
another interleaving than the live consumers did) nor on duplicates (delivery is at least
once): every effect is a set, a max/min, a version-guarded replace, or a count guarded by
the ids it has already counted.

A program's state is cut into **buckets**: one blob per (program, kind, hash of the key),
read and written whole by ``_id``. A report reads a fixed, small number of buckets (point
reads only), and an event rewrites one bucket. Kinds and their keys:

* ``program``: the program's configuration (one bucket);
* ``members``: one entry per member, by user id (so a caller's membership is one read);
* ``applications``: mentor applications, by application id;
* ``requests``: mentorship requests, by request id;
* ``mentorships``: matches with their activity (messages, meetings, documents, check-in
  answers, goals), by match id.

Times are whole seconds since the epoch (the CloudEvents ``time`` of the fact unless the
payload carries its own), so a bucket is JSON and compares exactly after a round trip.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mentorship_contracts.events import (
    CheckInAnsweredV1,
    DocumentSharedV1,
    EventPayload,
    GoalUpdatedV1,
    MatchMadeV1,
    MeetingBookedV1,
    MeetingCancelledV1,
    MentorApplicationDecidedV1,
    MentorApplicationSubmittedV1,
    MentorPausedV1,
    MentorshipEndedV1,
    MentorshipRequestedV1,
    MentorshipRespondedV1,
    MessageSentV1,
    ProfileChangedV1,
    ProgramChangedV1,
)

BUCKETS: dict[str, int] = {
    "program": 1,
    "members": 16,
    "applications": 4,
    "requests": 16,
    "mentorships": 32,
}
#: message ids a mentorship remembers to count a redelivered message once
RECENT_MESSAGES = 32

Entries = dict[str, dict[str, Any]]


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def bucket_number(kind: str, key: str) -> int:
    return zlib.crc32(key.encode()) % BUCKETS[kind]


def bucket_id(tenant_id: str, program_id: str, kind: str, number: int) -> str:
    return f"{tenant_id}|{program_id}|{kind}|{number:03d}"


def bucket_ids(tenant_id: str, program_id: str, kind: str) -> list[str]:
    return [bucket_id(tenant_id, program_id, kind, n) for n in range(BUCKETS[kind])]


def merge(parts: list[Entries]) -> Entries:
    """One kind's entries from all its buckets (keys never repeat across buckets)."""
    merged: Entries = {}
    for part in parts:
        merged.update(part)
    return merged


@dataclass(frozen=True)
class Target:
    """Where an event lands: the bucket and the entry key inside it."""

    tenant_id: str
    program_id: str
    kind: str
    key: str

    @property
    def bucket(self) -> str:
        return bucket_id(
            self.tenant_id, self.program_id, self.kind, bucket_number(self.kind, self.key)
        )


def target_of(payload: EventPayload) -> Target | None:
    """The entry an event changes, or None for an event the read model ignores (a
    message, meeting or document outside any mentorship)."""
    t, p = payload.tenant_id, getattr(payload, "program_id", "")
    match payload:
        case ProgramChangedV1():
            return Target(t, p, "program", "config")
        case ProfileChangedV1() | MentorPausedV1():
            return Target(t, p, "members", payload.user_id)
        case MentorApplicationSubmittedV1() | MentorApplicationDecidedV1():
            return Target(t, p, "applications", payload.application_id)
        case MentorshipRequestedV1() | MentorshipRespondedV1():
            return Target(t, p, "requests", payload.request_id)
        case MatchMadeV1() | MentorshipEndedV1() | GoalUpdatedV1() | CheckInAnsweredV1():
            return Target(t, p, "mentorships", payload.match_id)
        case MessageSentV1() | MeetingBookedV1() | MeetingCancelledV1() | DocumentSharedV1():
            if payload.match_id is None:
                return None
            return Target(t, p, "mentorships", payload.match_id)
    return None


def apply(entries: Entries, key: str, payload: EventPayload, at: int) -> bool:
    """Fold one event into the bucket's ``entries``; returns whether anything changed.

    ``at`` is when the fact happened (the event's CloudEvents time, epoch seconds).
    """
    handler = _HANDLERS.get(type(payload))
    if handler is None:
        return False
    return handler(entries, key, payload, at)


# --------------------------------------------------------------------------- program


def _program_changed(entries: Entries, key: str, e: ProgramChangedV1, at: int) -> bool:
    held = entries.get(key)
    if held is not None and held["v"] >= e.program_version:
        return False
    entries[key] = {
        "v": e.program_version,
        "name": e.name,
        "org": e.organization_id,
        "partners": sorted(e.partner_organization_ids),
        "status": e.status,
        "kind": e.kind,
    }
    return True


# --------------------------------------------------------------------------- members


def _member(entries: Entries, key: str) -> dict[str, Any]:
    return entries.setdefault(key, {"v": 0, "m": "", "r": [], "a": False, "x": False, "p": False})


def _profile_changed(entries: Entries, key: str, e: ProfileChangedV1, at: int) -> bool:
    member = _member(entries, key)
    if member["v"] >= e.profile_version:
        return False
    member.update(
        v=e.profile_version,
        m=e.member_id,
        r=sorted(e.roles),
        a=bool(e.mentor_approved),
        x=bool(e.erased),
    )
    if e.erased:
        member["r"], member["a"] = [], False
    return True


def _mentor_paused(entries: Entries, key: str, e: MentorPausedV1, at: int) -> bool:
    member = _member(entries, key)
    if member["p"] == e.paused:
        return False
    member["p"] = e.paused
    return True


# --------------------------------------------------------------------------- applications


def _application(entries: Entries, key: str) -> dict[str, Any]:
    return entries.setdefault(key, {"s": "", "at": 0, "decided": 0})


def _application_submitted(
    entries: Entries, key: str, e: MentorApplicationSubmittedV1, at: int
) -> bool:
    app = _application(entries, key)
    if app["at"]:
        return False
    app["at"] = at
    app["s"] = app["s"] or "submitted"
    return True


def _application_decided(
    entries: Entries, key: str, e: MentorApplicationDecidedV1, at: int
) -> bool:
    app = _application(entries, key)
    if app["decided"] >= at and app["s"] == e.decision:
        return False
    app["s"], app["decided"] = e.decision, max(app["decided"], at)
    return True


# --------------------------------------------------------------------------- requests


def _request(entries: Entries, key: str) -> dict[str, Any]:
    return entries.setdefault(
        key, {"at": 0, "mentor": "", "mentee": "", "resp": "", "first": 0, "last": 0, "why": ""}
    )


def _requested(entries: Entries, key: str, e: MentorshipRequestedV1, at: int) -> bool:
    request = _request(entries, key)
    if request["at"]:
        return False
    request.update(at=at, mentor=e.mentor.user_id, mentee=e.mentee.user_id)
    return True


def _responded(entries: Entries, key: str, e: MentorshipRespondedV1, at: int) -> bool:
    request = _request(entries, key)
    before = dict(request)
    request["mentor"], request["mentee"] = e.mentor.user_id, e.mentee.user_id
    request["first"] = min(request["first"], at) if request["first"] else at
    if at >= request["last"]:  # the latest answer is the request's state
        request.update(last=at, resp=e.response, why=e.reason or "")
    return request != before


# --------------------------------------------------------------------------- mentorships


def _mentorship(entries: Entries, key: str) -> dict[str, Any]:
    return entries.setdefault(
        key,
        {
            "made": 0,
            "mode": "",
            "mentor": "",
            "mentees": [],
            "ended": 0,
            "why": "",
            "by": "",
            "msgs": 0,
            "senders": {},
            "recent": [],
            "meetings": {},
            "docs": [],
            "answers": {},
            "goals": {},
        },
    )


def _match_made(entries: Entries, key: str, e: MatchMadeV1, at: int) -> bool:
    m = _mentorship(entries, key)
    if m["made"]:
        return False
    m.update(
        made=at,
        mode=e.mode,
        mentor=e.mentor.user_id,
        mentees=sorted({p.user_id for p in e.mentees}),
    )
    return True


def _ended(entries: Entries, key: str, e: MentorshipEndedV1, at: int) -> bool:
    m = _mentorship(entries, key)
    if m["ended"]:
        return False
    m.update(ended=at, why=e.reason, by=e.ended_by)
    if not m["mentor"]:  # the end overtook the start in a replay: the people are here too
        m["mentor"], m["mentees"] = e.mentor.user_id, sorted({p.user_id for p in e.mentees})
    return True


def _message_sent(entries: Entries, key: str, e: MessageSentV1, at: int) -> bool:
    m = _mentorship(entries, key)
    if e.message_id in m["recent"]:
        return False
    m["recent"] = [*m["recent"], e.message_id][-RECENT_MESSAGES:]
    m["msgs"] += 1
    sent = epoch(e.sent_at)
    count, last = m["senders"].get(e.sender_user_id, [0, 0])
    m["senders"][e.sender_user_id] = [count + 1, max(last, sent)]
    return True


def _meeting(m: dict[str, Any], meeting_id: str) -> list[Any]:
    # [sequence, starts, ends, cancelled]: the highest sequence wins; a cancellation wins a tie
    return list(m["meetings"].get(meeting_id, [-1, 0, 0, 0]))


def _meeting_booked(entries: Entries, key: str, e: MeetingBookedV1, at: int) -> bool:
    m = _mentorship(entries, key)
    held = _meeting(m, e.meeting_id)
    if e.sequence <= held[0]:
        return False
    m["meetings"][e.meeting_id] = [e.sequence, epoch(e.starts_at), epoch(e.ends_at), 0]
    return True


def _meeting_cancelled(entries: Entries, key: str, e: MeetingCancelledV1, at: int) -> bool:
    m = _mentorship(entries, key)
    held = _meeting(m, e.meeting_id)
    if e.sequence < held[0] or (e.sequence == held[0] and held[3]):
        return False
    ends = held[2] if e.sequence == held[0] else epoch(e.starts_at)
    m["meetings"][e.meeting_id] = [e.sequence, epoch(e.starts_at), ends, 1]
    return True


def _document_shared(entries: Entries, key: str, e: DocumentSharedV1, at: int) -> bool:
    m = _mentorship(entries, key)
    if e.document_id in m["docs"]:
        return False
    m["docs"] = sorted([*m["docs"], e.document_id])
    return True


def _check_in_answered(entries: Entries, key: str, e: CheckInAnsweredV1, at: int) -> bool:
    m = _mentorship(entries, key)
    if e.answer_id in m["answers"]:
        return False
    m["answers"][e.answer_id] = [
        e.round,
        e.respondent_role,
        e.respondent_user_id,
        e.score,
        e.visibility,
        epoch(e.answered_at),
        int(e.has_comment),
    ]
    return True


def _goal_updated(entries: Entries, key: str, e: GoalUpdatedV1, at: int) -> bool:
    m = _mentorship(entries, key)
    held = m["goals"].get(e.goal_id)
    if held is not None and held[0] >= e.plan_version:
        return False
    m["goals"][e.goal_id] = [
        e.plan_version,
        e.status,
        e.progress_percent,
        e.due_on.isoformat() if e.due_on else None,
    ]
    return True


_HANDLERS: dict[type[EventPayload], Callable[[Entries, str, Any, int], bool]] = {
    ProgramChangedV1: _program_changed,
    ProfileChangedV1: _profile_changed,
    MentorPausedV1: _mentor_paused,
    MentorApplicationSubmittedV1: _application_submitted,
    MentorApplicationDecidedV1: _application_decided,
    MentorshipRequestedV1: _requested,
    MentorshipRespondedV1: _responded,
    MatchMadeV1: _match_made,
    MentorshipEndedV1: _ended,
    MessageSentV1: _message_sent,
    MeetingBookedV1: _meeting_booked,
    MeetingCancelledV1: _meeting_cancelled,
    DocumentSharedV1: _document_shared,
    CheckInAnsweredV1: _check_in_answered,
    GoalUpdatedV1: _goal_updated,
}

#: Every payload the read model folds (the topics insights consumes).
FOLDED: tuple[type[EventPayload], ...] = tuple(_HANDLERS)
