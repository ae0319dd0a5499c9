"""Contract events <-> domain, in one place.

Outgoing: each domain event a command recorded becomes a :class:`NewEvent` for the event
store, carrying the integration event (a ``mentorship_contracts`` payload) it publishes,
if any. Incoming: ``match-made`` / ``mentorship-ended`` become mentor-load changes.
"""

from __future__ import annotations

from typing import Any

from chassis.eventstore import NewEvent, Publish, Recorded
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from mentorship_contracts.events.profiles import ProfileChangedV1, ProfileSnapshot
from mentorship_contracts.events.programs import (
    MemberJoinedV1,
    MentorApplicationDecidedV1,
    MentorApplicationSubmittedV1,
    ProgramChangedV1,
)
from profiles.domain import member as m
from profiles.domain.member import Member
from profiles.domain.program import Program

#: Member events after which the published profile snapshot changes.
_PROFILE_EVENTS = {
    m.PROFILE_EDITED,
    m.ROLES_CHANGED,
    m.MENTOR_APPROVAL_CHANGED,
    m.MEMBER_ERASED,
}


def program_changed(program: Program, version: int) -> ProgramChangedV1:
    spec = program.require_spec()
    return ProgramChangedV1(
        tenant_id=program.tenant_id,
        program_id=program.program_id,
        program_version=version,
        organization_id=program.organization_id,
        name=spec.name,
        description=spec.description,
        kind=spec.kind,
        modes=spec.modes,
        requires_mentor_approval=spec.requires_mentor_approval,
        default_capacity=spec.default_capacity,
        max_group_size=spec.max_group_size,
        partner_organization_ids=spec.partner_organization_ids,
        matching_weights=spec.matching_weights,
        constraints=spec.constraints,
        request_response_hours=spec.request_response_hours,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        status=spec.status,
    )


def program_events(program: Program) -> list[NewEvent]:
    """Every program event publishes the whole configuration (compacted topic)."""
    return [
        NewEvent(e.type, e.data, publish=Publish(program_changed(program, e.version)))
        for e in program.pending
    ]


def profile_changed(member: Member, program: Program, version: int) -> ProfileChangedV1:
    if member.status == "erased":
        return ProfileChangedV1(
            tenant_id=member.tenant_id,
            program_id=member.program_id,
            member_id=member.member_id,
            user_id=member.user_id,
            organization_id=member.organization_id,
            profile_version=version,
            roles=[],
            mentor_approved=False,
            erased=True,
            snapshot=None,
        )
    return ProfileChangedV1(
        tenant_id=member.tenant_id,
        program_id=member.program_id,
        member_id=member.member_id,
        user_id=member.user_id,
        organization_id=member.organization_id,
        profile_version=version,
        roles=member.roles,  # type: ignore[arg-type,unused-ignore]
        mentor_approved="mentor" in member.roles and member.mentor_approved,
        changed_fields=member.last_changed,
        snapshot=ProfileSnapshot.model_validate(member.snapshot(program)),
    )


def member_events(member: Member, program: Program) -> list[NewEvent]:
    """NewEvents for what ``member`` recorded; only the last profile change is published.

    A command may record several profile-changing events (join = joined + profile); the
    snapshot is published once, for the last of them, with the final state.
    """
    last_profile = max(
        (e.version for e in member.pending if e.type in _PROFILE_EVENTS), default=None
    )
    out = []
    for event in member.pending:
        out.append(
            NewEvent(event.type, event.data, publish=_publish(member, program, event, last_profile))
        )
    return out


def _publish(
    member: Member, program: Program, event: Recorded, last_profile: int | None
) -> Publish | None:
    if event.type == m.MEMBER_JOINED:
        return Publish(
            MemberJoinedV1(
                tenant_id=event.data["tenant_id"],
                program_id=event.data["program_id"],
                member_id=member.member_id,
                user_id=event.data["user_id"],
                organization_id=event.data["organization_id"],
                roles=event.data["roles"],
            )
        )
    if event.type == m.APPLICATION_SUBMITTED:
        return Publish(
            MentorApplicationSubmittedV1(
                tenant_id=member.tenant_id,
                application_id=event.data["application_id"],
                program_id=member.program_id,
                member_id=member.member_id,
                user_id=member.user_id,
            )
        )
    if event.type == m.APPLICATION_DECIDED:
        return Publish(
            MentorApplicationDecidedV1(
                tenant_id=member.tenant_id,
                application_id=event.data["application_id"],
                program_id=member.program_id,
                member_id=member.member_id,
                user_id=member.user_id,
                decision=event.data["decision"],
                reason=event.data.get("reason_code"),  # the code only; the note stays here
                decided_by_user_id=event.data["decided_by"],
            )
        )
    if event.type in _PROFILE_EVENTS and event.version == last_profile:
        return Publish(profile_changed(member, program, event.version))
    return None


# --- incoming ------------------------------------------------------------------------


def match_from_event(data: dict[str, Any]) -> dict[str, Any]:
    """``match-made`` -> the facts the mentor-load read model keeps."""
    made = MatchMadeV1.model_validate(data)
    return {
        "tenant_id": made.tenant_id,
        "program_id": made.program_id,
        "mentor_member_id": made.mentor.member_id,
        "mentee_member_ids": [p.member_id for p in made.mentees],
    }


def ended_match_from_event(data: dict[str, Any]) -> dict[str, Any]:
    ended = MentorshipEndedV1.model_validate(data)
    return {
        "tenant_id": ended.tenant_id,
        "program_id": ended.program_id,
        "mentor_member_id": ended.mentor.member_id,
        "mentee_member_ids": [p.member_id for p in ended.mentees],
    }
