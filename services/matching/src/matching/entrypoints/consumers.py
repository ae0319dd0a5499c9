"""Kafka consumers: typed subscribers that hand the payload to a projector.

Registered through ``runtime.consumers.on`` (payload validated and tenant-checked against
the envelope before the handler, bad events dead-lettered at once; idempotent by event id,
retried with backoff, then dead-lettered); the effects are version-guarded as well, so a
replay or a duplicate changes nothing.
"""

from __future__ import annotations

import time

from chassis.app import Runtime
from chassis.consumers import Consumed
from matching.application.service import MatchingService
from mentorship_contracts.events.messaging import MessageSentV1
from mentorship_contracts.events.profiles import ProfileChangedV1
from mentorship_contracts.events.programs import (
    MentorApplicationDecidedV1,
    MentorApplicationSubmittedV1,
    ProgramChangedV1,
)

ACTIVITY_WRITE_INTERVAL_SECONDS = 60.0


def register(runtime: Runtime, service: MatchingService) -> None:
    @runtime.consumers.on(ProfileChangedV1, name="profile-projection")
    async def on_profile_changed(event: Consumed[ProfileChangedV1]) -> None:
        await service.projector.profile_changed(event.payload)

    @runtime.consumers.on(ProgramChangedV1, name="program-projection")
    async def on_program_changed(event: Consumed[ProgramChangedV1]) -> None:
        await service.projector.program_changed(event.payload)

    @runtime.consumers.on(MentorApplicationSubmittedV1, name="mentor-application-submissions")
    async def on_mentor_application_submitted(
        event: Consumed[MentorApplicationSubmittedV1],
    ) -> None:
        await service.applications.submitted(event.payload)

    @runtime.consumers.on(MentorApplicationDecidedV1, name="mentor-application-decisions")
    async def on_mentor_application_decided(event: Consumed[MentorApplicationDecidedV1]) -> None:
        await service.applications.decided(event.payload)

    last_written: dict[str, float] = {}

    @runtime.consumers.on(MessageSentV1, name="member-activity")
    async def on_message_sent(event: Consumed[MessageSentV1]) -> None:
        message = event.payload
        key = f"{message.tenant_id}|{message.program_id}|{message.sender_user_id}"
        now = time.monotonic()
        if (
            now - last_written.get(key, -ACTIVITY_WRITE_INTERVAL_SECONDS)
            < ACTIVITY_WRITE_INTERVAL_SECONDS
        ):
            return  # "last active" needs minutes, not every message
        membership = await service.store.membership(
            message.tenant_id, message.program_id, message.sender_user_id
        )
        if membership is None:
            return
        last_written[key] = now
        if len(last_written) > 100_000:
            last_written.clear()
        await service.read_models.touch(
            message.tenant_id, message.program_id, membership["member_id"], message.sent_at
        )
