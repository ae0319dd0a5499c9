"""Kafka consumers: typed subscribers that hand the payload to a use case or the directory.

Registered through ``runtime.consumers.on`` (validated, tenant-checked against the
envelope, idempotent by event id, retried, then dead-lettered); every effect is also
idempotent by itself (version-guarded directory, pauses ordered by their event time, one
entry stream per exchange).
"""

from __future__ import annotations

from chassis.app import Runtime
from chassis.consumers import Consumed
from knowledge.adapters.directory import Directory
from knowledge.application.drafts import PrepareDraft
from knowledge.application.withdrawal import Withdrawals
from mentorship_contracts.events.knowledge import ExchangeConsentedV1, ExchangeWithdrawnV1
from mentorship_contracts.events.profiles import MentorPausedV1, ProfileChangedV1
from mentorship_contracts.events.programs import ProgramChangedV1


def register(
    runtime: Runtime, directory: Directory, prepare: PrepareDraft, withdrawals: Withdrawals
) -> None:
    @runtime.consumers.on(ProfileChangedV1, name="member-directory")
    async def on_profile_changed(event: Consumed[ProfileChangedV1]) -> None:
        await directory.profile_changed(event.payload)
        if event.payload.erased:  # idempotent: a replay finds nobody left to forget
            await withdrawals.forget(event.payload)

    @runtime.consumers.on(MentorPausedV1, name="mentor-pauses")
    async def on_mentor_paused(event: Consumed[MentorPausedV1]) -> None:
        await directory.mentor_paused(event.payload, at=event.envelope.time)

    @runtime.consumers.on(ProgramChangedV1, name="program-directory")
    async def on_program_changed(event: Consumed[ProgramChangedV1]) -> None:
        await directory.program_changed(event.payload)

    @runtime.consumers.on(ExchangeConsentedV1, name="consented-exchanges")
    async def on_exchange_consented(event: Consumed[ExchangeConsentedV1]) -> None:
        await prepare(event.payload)

    @runtime.consumers.on(ExchangeWithdrawnV1, name="withdrawn-exchanges")
    async def on_exchange_withdrawn(event: Consumed[ExchangeWithdrawnV1]) -> None:
        await withdrawals.exchange_withdrawn(event.payload)
