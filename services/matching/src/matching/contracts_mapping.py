"""Contract events <-> matching, in one place.

Inbound: ``program-changed`` becomes :class:`ProgramRules` and a small config; a
``profile-changed`` snapshot becomes the profile document (the pure document ->
scorer mapping is :mod:`matching.domain.member_profiles`). Outbound: the mentor's book's
domain events become the published ``mentorship-requested`` / ``mentorship-responded`` /
``match-made`` / ``mentorship-ended`` / ``mentor-paused`` payloads. The mentee's note and
the mentor's words stay internal.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chassis.domain import DomainEvent
from chassis.eventstore import Publish
from matching.domain import mentor_events as ev
from matching.domain.mentor_book import MentorBook
from matching.domain.rules import ProgramRules, weights_from_program
from mentorship_contracts.events.base import Participant
from mentorship_contracts.events.matching import (
    MatchMadeV1,
    MentorshipEndedV1,
    MentorshipRequestedV1,
    MentorshipRespondedV1,
)
from mentorship_contracts.events.profiles import MentorPausedV1, ProfileChangedV1
from mentorship_contracts.events.programs import ProgramChangedV1

# --------------------------------------------------------------------------- programs


def rules_from_program(config: Mapping[str, Any] | None) -> ProgramRules:
    """The scorer's rules for a program document (defaults until the program is known)."""
    if config is None:
        return ProgramRules(require_shared_language=False)
    program = ProgramChangedV1.model_validate(config)
    constraints = program.constraints
    gap = constraints.experience_gap
    extra: dict[str, Any] = {}
    if gap is not None:
        extra = {
            "enforce_experience_gap": True,
            "experience_gap_min_years": float(gap.min_years),
            "experience_gap_max_years": (
                float(gap.max_years) if gap.max_years is not None else None
            ),
        }
    return ProgramRules(
        weights=weights_from_program(program.matching_weights),
        require_shared_language=constraints.require_shared_language,
        organization_rule=constraints.same_organization,
        # ``mentor_approved`` on profile-changed already says whether the member may be
        # matched as a mentor (profiles approves automatically where no approval is needed).
        require_mentor_approval=True,
        require_free_capacity=True,
        max_timezone_hours=(
            float(constraints.max_timezone_difference_hours)
            if constraints.max_timezone_difference_hours is not None
            else None
        ),
        **extra,
    )


def program_document(payload: ProgramChangedV1) -> dict[str, Any]:
    return {
        "tenant_id": payload.tenant_id,
        "program_id": payload.program_id,
        "program_version": payload.program_version,
        "config": payload.model_dump(mode="json"),
    }


# --------------------------------------------------------------------------- profiles


def profile_document(payload: ProfileChangedV1) -> dict[str, Any]:
    """The profile fields of the projection document (lifecycle fields are set elsewhere)."""
    assert payload.snapshot is not None
    return {
        "tenant_id": payload.tenant_id,
        "program_id": payload.program_id,
        "member_id": payload.member_id,
        "user_id": payload.user_id,
        "organization_id": payload.organization_id,
        "profile_version": payload.profile_version,
        "roles": sorted(payload.roles),
        "mentor_approved": payload.mentor_approved,
        "snapshot": payload.snapshot.model_dump(mode="json"),
        "erased": False,
    }


# --------------------------------------------------------------------------- outbound


def _participant(member_id: str, user_id: str) -> Participant:
    return Participant(member_id=member_id, user_id=user_id)


#: request events announced as a response: (response, reason; None: the event's own)
RESPONSES: dict[type[DomainEvent], tuple[str, str | None]] = {
    ev.InfoRequested: ("info_requested", None),
    ev.RequestDeclined: ("declined", None),
    ev.RequestExpired: ("declined", "expired"),
    ev.RequestWithdrawn: ("declined", "withdrawn"),
    ev.RequestCancelled: ("declined", None),
    ev.RequestAccepted: ("accepted", None),
}


def publish_for(book: MentorBook, event: DomainEvent) -> Publish | None:
    """The integration event a book event announces (None: internal only)."""
    tenant, program, mentor_id = book.tenant_id, book.program_id, book.mentor_id
    if isinstance(event, ev.RequestReceived):
        return Publish(
            MentorshipRequestedV1(
                tenant_id=tenant,
                request_id=event.request_id,
                program_id=program,
                mentee=_participant(event.mentee_id, event.mentee_user_id),
                mentor=_participant(mentor_id, event.mentor_user_id),
                expires_at=datetime.fromisoformat(event.expires_at),
            )
        )
    if type(event) in RESPONSES:
        return _response(book, event)
    if isinstance(event, ev.MatchStarted):
        score = event.score
        return Publish(
            MatchMadeV1(
                tenant_id=tenant,
                match_id=event.match_id,
                program_id=program,
                mode=event.mode,
                mentor=_participant(mentor_id, event.mentor_user_id),
                mentees=[_participant(event.mentee_id, event.mentee_user_id)],
                group_id=event.group_id,
                score=None if score is None else min(max(float(score), 0.0), 1.0),
                origin=event.origin,
                request_id=event.request_id,
                round_id=event.round_id,
            )
        )
    if isinstance(event, ev.MatchEnded):
        match = book.matches[event.match_id]
        return Publish(
            MentorshipEndedV1(
                tenant_id=tenant,
                match_id=event.match_id,
                program_id=program,
                mentor=_participant(mentor_id, match["mentor_user_id"]),
                mentees=[_participant(match["mentee_id"], match["mentee_user_id"])],
                reason=event.reason,
                ended_by=event.ended_by,
                ended_by_user_id=event.ended_by_user_id,
            )
        )
    if isinstance(event, ev.MentorPaused | ev.MentorResumed):
        return _paused(book, event)
    return None


def _response(book: MentorBook, event: DomainEvent) -> Publish:
    request_id: str = event.request_id  # type: ignore[attr-defined]
    request = book.requests[request_id]
    response, reason = RESPONSES[type(event)]
    if reason is None and not isinstance(event, ev.InfoRequested | ev.RequestAccepted):
        reason = event.reason  # type: ignore[attr-defined]
    return Publish(
        MentorshipRespondedV1(
            tenant_id=book.tenant_id,
            request_id=request_id,
            program_id=book.program_id,
            mentee=_participant(request["mentee_id"], request["mentee_user_id"]),
            mentor=_participant(book.mentor_id, request["mentor_user_id"]),
            response=response,
            reason=reason,
            match_id=event.match_id if isinstance(event, ev.RequestAccepted) else None,
        )
    )


def _paused(book: MentorBook, event: ev.MentorPaused | ev.MentorResumed) -> Publish:
    paused = isinstance(event, ev.MentorPaused)
    until = event.until if isinstance(event, ev.MentorPaused) else None
    return Publish(
        MentorPausedV1(
            tenant_id=book.tenant_id,
            program_id=book.program_id,
            member_id=book.mentor_id,
            user_id=event.mentor_user_id,
            paused=paused,
            until=datetime.fromisoformat(until) if until else None,
            reason=event.reason if isinstance(event, ev.MentorPaused) else None,
        )
    )
