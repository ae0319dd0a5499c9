"""Kafka consumers: typed subscribers handing the payload to the mentorship effects."""

from __future__ import annotations

from chassis.app import Runtime
from chassis.consumers import Consumed
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from mentorship_contracts.events.profiles import ProfileChangedV1
from scheduling.application.mentorships import Mentorships
from scheduling.application.ports import Pair


def register(runtime: Runtime, mentorships: Mentorships) -> None:
    @runtime.consumers.on(MatchMadeV1, name="mentorships-made")
    async def on_match_made(event: Consumed[MatchMadeV1]) -> None:
        m = event.payload
        await mentorships.made(
            Pair(
                tenant_id=m.tenant_id,
                match_id=m.match_id,
                program_id=m.program_id,
                mode=m.mode,
                group_id=m.group_id,
                mentor=m.mentor.user_id,
                mentees=[p.user_id for p in m.mentees],
                active=True,
            )
        )

    @runtime.consumers.on(MentorshipEndedV1, name="mentorships-ended")
    async def on_mentorship_ended(event: Consumed[MentorshipEndedV1]) -> None:
        await mentorships.ended(event.payload.tenant_id, event.payload.match_id)

    @runtime.consumers.on(ProfileChangedV1, name="program-members")
    async def on_profile_changed(event: Consumed[ProfileChangedV1]) -> None:
        p = event.payload
        await mentorships.member_changed(
            p.tenant_id, p.program_id, p.user_id, list(p.roles), p.profile_version, p.erased
        )
