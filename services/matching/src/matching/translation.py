"""Contract events <-> domain, in one place.

Inbound: ``program-changed`` becomes :class:`ProgramRules` and a small config; a
``profile-changed`` snapshot becomes the projection document and, from it, a
:class:`MatchableProfile`. Outbound: the desk's domain events become the published
``mentorship-requested`` / ``mentorship-responded`` / ``match-made`` / ``mentorship-ended``
/ ``mentor-paused`` payloads. The mentee's note and the mentor's words stay internal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np

from chassis.eventstore import Publish, Recorded
from matching.domain import mentorship as d
from matching.domain.explanations import Explanation
from matching.domain.matchable import MatchableProfile, profile_text
from matching.domain.rules import CRITERIA, DEFAULT_WEIGHTS, ProgramRules
from mentorship_contracts.events.base import Participant
from mentorship_contracts.events.matching import (
    MatchMadeV1,
    MentorshipEndedV1,
    MentorshipRequestedV1,
    MentorshipRespondedV1,
)
from mentorship_contracts.events.profiles import MentorPausedV1, ProfileChangedV1
from mentorship_contracts.events.programs import ProgramChangedV1

#: Program weight keys (profile field names) -> the scorer's criteria. Several fields may
#: feed one criterion (their weights add up); keys without a criterion (``languages`` is a
#: hard rule here, ``custom:*`` fields are not scored yet) are ignored.
WEIGHT_KEYS: Mapping[str, str] = {
    "skills": "skills",
    "expertise": "skills",
    "goals": "skills",
    "interests": "skills",
    "industry": "industry",
    "job_function": "function",
    "function": "function",
    "years_experience": "experience",
    "experience": "experience",
    "timezone": "timezone",
    "keywords": "keywords",
    "semantic": "semantic",
    "bio": "semantic",
    "headline": "semantic",
}
DEFAULT_CAPACITY = 1


# --------------------------------------------------------------------------- programs


def weights_from_program(weights: Mapping[str, float]) -> dict[str, float]:
    mapped: dict[str, float] = {}
    for key, weight in weights.items():
        criterion = WEIGHT_KEYS.get(key)
        if criterion is not None and weight > 0:
            mapped[criterion] = mapped.get(criterion, 0.0) + float(weight)
    if not mapped:
        return dict(DEFAULT_WEIGHTS)
    return {c: mapped.get(c, 0.0) for c in CRITERIA}


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


def _matchable(doc: Mapping[str, Any], *, embedding: np.ndarray | None) -> MatchableProfile:
    snap = doc.get("snapshot") or {}
    years = snap.get("years_experience")
    return MatchableProfile(
        member_id=doc["member_id"],
        user_id=doc["user_id"],
        organization_id=doc["organization_id"],
        roles=frozenset(doc.get("roles", [])),
        mentor_approved=bool(doc.get("mentor_approved")),
        timezone=snap.get("timezone") or "",
        languages=tuple(snap.get("languages") or ()),
        industry=snap.get("industry") or "",
        job_function=snap.get("job_function") or "",
        years_experience=float(years) if years is not None else None,
        skills=tuple(snap.get("skills") or ()),
        expertise=tuple(snap.get("expertise") or ()),
        goals=tuple(snap.get("goals") or ()),
        interests=tuple(snap.get("interests") or ()),
        keywords=tuple(snap.get("keywords") or ()),
        headline=snap.get("headline") or "",
        bio=snap.get("bio") or "",
        embedding=embedding,
    )


def text_for_embedding(doc: Mapping[str, Any]) -> str:
    """What the semantic criterion embeds (the domain's recipe)."""
    return profile_text(_matchable(doc, embedding=None))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def embedding_to_bytes(vector: np.ndarray | None) -> bytes | None:
    return None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()


def embedding_from_bytes(raw: bytes | None) -> np.ndarray | None:
    return None if not raw else np.frombuffer(raw, dtype=np.float32).copy()


def capacity_of(doc: Mapping[str, Any], program: Mapping[str, Any] | None) -> int:
    """A mentor's capacity: their profile's, else the program default."""
    own = (doc.get("snapshot") or {}).get("capacity")
    if own is not None:
        return int(own)
    if program is not None:
        return int(program.get("default_capacity", DEFAULT_CAPACITY))
    return DEFAULT_CAPACITY


def is_paused(doc: Mapping[str, Any], now: datetime) -> bool:
    pause = doc.get("pause")
    if not pause:
        return False
    until = pause.get("until")
    return until is None or now < datetime.fromisoformat(until)


def matchable_profile(
    doc: Mapping[str, Any],
    program: Mapping[str, Any] | None,
    *,
    embedding: np.ndarray | None,
    now: datetime,
) -> MatchableProfile:
    """The scorer's view of a member: profile plus availability from the desks."""
    base = _matchable(doc, embedding=embedding)
    snap = doc.get("snapshot") or {}
    accepting = bool(snap.get("accepting_mentees")) and not is_paused(doc, now)
    return replace(
        base,
        capacity=capacity_of(doc, program),
        accepting_mentees=accepting,
        active_mentee_count=int(doc.get("load", 0)),
    )


# --------------------------------------------------------------------------- explanations


def explanation_payload(
    explanation: Explanation, shared: Mapping[str, list[str]]
) -> dict[str, Any]:
    return {
        "summary": explanation.summary(),
        "reasons": list(explanation.reasons),
        "shared": {k: list(v) for k, v in shared.items()},
        "contributions": [
            {
                "criterion": c.criterion,
                "weight": round(c.weight, 4),
                "value": None if c.value is None else round(float(c.value), 4),
                "contribution": round(float(c.contribution), 4),
                "reason": c.reason,
            }
            for c in explanation.contributions
            if c.weight > 0
        ],
        "excluded_by": list(explanation.excluded_by),
        "exclusions": list(explanation.exclusions),
    }


# --------------------------------------------------------------------------- outbound


def _participant(member_id: str, user_id: str) -> Participant:
    return Participant(member_id=member_id, user_id=user_id)


def publish_for(desk: d.MentorDesk, event: Recorded) -> Publish | None:
    """The integration event a desk event announces (None: internal only)."""
    data = event.data
    tenant, program, mentor_id = desk.tenant_id, desk.program_id, desk.mentor_id
    if event.type == d.REQUEST_RECEIVED:
        return Publish(
            MentorshipRequestedV1(
                tenant_id=tenant,
                request_id=data["request_id"],
                program_id=program,
                mentee=_participant(data["mentee_id"], data["mentee_user_id"]),
                mentor=_participant(mentor_id, data["mentor_user_id"]),
                expires_at=datetime.fromisoformat(data["expires_at"]),
            )
        )
    responses = {
        d.INFO_REQUESTED: ("info_requested", None),
        d.REQUEST_DECLINED: ("declined", data.get("reason")),
        d.REQUEST_EXPIRED: ("declined", "expired"),
        d.REQUEST_WITHDRAWN: ("declined", "withdrawn"),
        d.REQUEST_CANCELLED: ("declined", data.get("reason")),
        d.REQUEST_ACCEPTED: ("accepted", None),
    }
    if event.type in responses:
        request = desk.requests[data["request_id"]]
        response, reason = responses[event.type]
        return Publish(
            MentorshipRespondedV1(
                tenant_id=tenant,
                request_id=data["request_id"],
                program_id=program,
                mentee=_participant(request["mentee_id"], request["mentee_user_id"]),
                mentor=_participant(mentor_id, request["mentor_user_id"]),
                response=response,
                reason=reason,
                match_id=data.get("match_id"),
            )
        )
    if event.type == d.MATCH_STARTED:
        score = data.get("score")
        return Publish(
            MatchMadeV1(
                tenant_id=tenant,
                match_id=data["match_id"],
                program_id=program,
                mode=data["mode"],
                mentor=_participant(mentor_id, data["mentor_user_id"]),
                mentees=[_participant(data["mentee_id"], data["mentee_user_id"])],
                group_id=data.get("group_id"),
                score=None if score is None else min(max(float(score), 0.0), 1.0),
                origin=data["origin"],
                request_id=data.get("request_id"),
                round_id=data.get("round_id"),
            )
        )
    if event.type == d.MATCH_ENDED:
        match = desk.matches[data["match_id"]]
        return Publish(
            MentorshipEndedV1(
                tenant_id=tenant,
                match_id=data["match_id"],
                program_id=program,
                mentor=_participant(mentor_id, match["mentor_user_id"]),
                mentees=[_participant(match["mentee_id"], match["mentee_user_id"])],
                reason=data["reason"],
                ended_by=data["ended_by"],
                ended_by_user_id=data.get("ended_by_user_id"),
            )
        )
    if event.type in (d.MENTOR_PAUSED, d.MENTOR_RESUMED):
        paused = event.type == d.MENTOR_PAUSED
        return Publish(
            MentorPausedV1(
                tenant_id=tenant,
                program_id=program,
                member_id=mentor_id,
                user_id=data["mentor_user_id"],
                paused=paused,
                until=datetime.fromisoformat(data["until"])
                if paused and data.get("until")
                else None,
                reason=data.get("reason") if paused else None,
            )
        )
    return None
