"""Kafka consumers: thin, parse the contract payload and hand it to the projection.

Registered through ``runtime.consumers.subscribe`` (idempotent by event id, retried with
backoff, then dead-lettered); the effects are version-guarded as well, so a replay or a
duplicate changes nothing. A payload that does not validate can never succeed and is
dead-lettered at once.
"""

from __future__ import annotations

import time
from typing import TypeVar

from pydantic import ValidationError

from chassis.app import Runtime
from chassis.consumers import PermanentError
from matching.application.service import MatchingService
from mentorship_contracts.envelope import CloudEvent
from mentorship_contracts.events.messaging import MessageSentV1
from mentorship_contracts.events.profiles import ProfileChangedV1
from mentorship_contracts.events.programs import ProgramChangedV1

ACTIVITY_WRITE_INTERVAL_SECONDS = 60.0
P = TypeVar("P", ProfileChangedV1, ProgramChangedV1, MessageSentV1)


def _parse(model: type[P], event: CloudEvent) -> P:
    try:
        payload = model.model_validate(event.data)
    except ValidationError as exc:
        raise PermanentError(f"not a valid {model.TOPIC} payload: {exc}") from exc
    if payload.tenant_id != event.tenantid:
        raise PermanentError("the payload's tenant_id differs from the envelope's tenantid")
    return payload


def register(runtime: Runtime, service: MatchingService) -> None:
    @runtime.consumers.subscribe("profile-changed", name="profile-projection")
    async def on_profile_changed(event: CloudEvent) -> None:
        await service.projection.profile_changed(_parse(ProfileChangedV1, event))

    @runtime.consumers.subscribe("program-changed", name="program-projection")
    async def on_program_changed(event: CloudEvent) -> None:
        await service.projection.program_changed(_parse(ProgramChangedV1, event))

    last_written: dict[str, float] = {}

    @runtime.consumers.subscribe("message-sent", name="member-activity")
    async def on_message_sent(event: CloudEvent) -> None:
        message = _parse(MessageSentV1, event)
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
