"""Domain <-> published contracts, in one place (pure mapping, no I/O).

Outgoing: what a command recorded becomes the integration events (``mentorship_contracts``
payloads) that go to Kafka in the same commit. Only what other services need is
published: a member's program-visible snapshot, never a hidden field, an application's
answers or a decision's note. Incoming: ``match-made`` / ``mentorship-ended`` become the
facts the mentor-load read model keeps.
"""

from __future__ import annotations

from typing import Any

from chassis.domain import Recorded
from chassis.eventstore import Publish
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from mentorship_contracts.events.profiles import ProfileChangedV1, ProfileSnapshot
from mentorship_contracts.events.programs import (
    MemberJoinedV1,
    MentorApplicationDecidedV1,
    MentorApplicationSubmittedV1,
    ProgramChangedV1,
)
from profiles.domain.events import (
    PROFILE_CHANGING,
    MemberJoined,
    MentorApplicationDecided,
    MentorApplicationSubmitted,
)
from profiles.domain.member import Member
from profiles.domain.program import Program

PROFILE_CHANGED_TOPIC = ProfileChangedV1.TOPIC


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


def program_messages(program: Program) -> list[Publish]:
    """Every program event publishes the whole configuration (compacted topic)."""
    return [Publish(program_changed(program, r.version)) for r in program.pending]


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
        snapshot=ProfileSnapshot.model_validate(member.profile_snapshot(program)),
    )


def member_messages(member: Member, program: Program) -> list[Publish]:
    """The integration events of what ``member`` recorded, in order.

    A command may record several profile-changing events (join = joined + profile); the
    snapshot is published once, for the last of them, with the final state.
    """
    last_profile = max(
        (r.version for r in member.pending if isinstance(r.event, PROFILE_CHANGING)),
        default=None,
    )
    out = []
    for recorded in member.pending:
        message = _message(member, program, recorded, last_profile)
        if message is not None:
            out.append(message)
    return out


def _message(
    member: Member, program: Program, recorded: Recorded, last_profile: int | None
) -> Publish | None:
    event = recorded.event
    if isinstance(event, MemberJoined):
        return Publish(
            MemberJoinedV1(
                tenant_id=event.tenant_id,
                program_id=event.program_id,
                member_id=member.member_id,
                user_id=event.user_id,
                organization_id=event.organization_id,
                roles=event.roles,  # type: ignore[arg-type,unused-ignore]
            )
        )
    if isinstance(event, MentorApplicationSubmitted):
        return Publish(
            MentorApplicationSubmittedV1(
                tenant_id=member.tenant_id,
                application_id=event.application_id,
                program_id=member.program_id,
                member_id=member.member_id,
                user_id=member.user_id,
            )
        )
    if isinstance(event, MentorApplicationDecided):
        return Publish(
            MentorApplicationDecidedV1(
                tenant_id=member.tenant_id,
                application_id=event.application_id,
                program_id=member.program_id,
                member_id=member.member_id,
                user_id=member.user_id,
                decision=event.decision,
                reason=event.reason_code,  # the code only; the note stays here
                decided_by_user_id=event.decided_by,
            )
        )
    if isinstance(event, PROFILE_CHANGING) and recorded.version == last_profile:
        return Publish(profile_changed(member, program, recorded.version))
    return None


def erased_message(message: dict[str, Any]) -> dict[str, Any] | None:
    """Erasure of a stored outbox message: a profile snapshot becomes a tombstone (one not
    published yet goes out as an erasure; Kafka's copies of published ones are superseded
    by the tombstone and compacted away). Other messages carry nothing personal."""
    if message.get("topic") != PROFILE_CHANGED_TOPIC or message["data"].get("erased"):
        return None
    return {
        **message,
        "data": {**message["data"], "snapshot": None, "erased": True},
        "redacted": True,
    }


# --- incoming ------------------------------------------------------------------------


def match_facts(made: MatchMadeV1 | MentorshipEndedV1) -> dict[str, Any]:
    """``match-made`` / ``mentorship-ended`` -> the facts the mentor-load read model keeps."""
    return {
        "tenant_id": made.tenant_id,
        "program_id": made.program_id,
        "mentor_member_id": made.mentor.member_id,
        "mentee_member_ids": [p.member_id for p in made.mentees],
    }
