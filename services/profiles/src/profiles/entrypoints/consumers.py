"""Kafka consumers: matching's events keep each mentor's current load.

Registered through ``runtime.consumers.subscribe`` (idempotent by event id, retries, then
dead-letter). The effect itself is idempotent too (upsert by match id, load recomputed).
"""

from __future__ import annotations

from pydantic import ValidationError

from chassis.app import Runtime
from chassis.consumers import PermanentError
from mentorship_contracts.envelope import CloudEvent
from profiles import translation
from profiles.adapters.loads import MentorLoads


def register(runtime: Runtime, loads: MentorLoads) -> None:
    @runtime.consumers.subscribe("match-made", name="mentor-load-made")
    async def on_match_made(event: CloudEvent) -> None:
        try:
            facts = translation.match_from_event(dict(event.data))
        except ValidationError as exc:
            raise PermanentError(f"not a valid match-made payload: {exc}") from exc
        await loads.match_made(str(event.data["match_id"]), facts)

    @runtime.consumers.subscribe("mentorship-ended", name="mentor-load-ended")
    async def on_mentorship_ended(event: CloudEvent) -> None:
        try:
            facts = translation.ended_match_from_event(dict(event.data))
        except ValidationError as exc:
            raise PermanentError(f"not a valid mentorship-ended payload: {exc}") from exc
        await loads.match_ended(str(event.data["match_id"]), facts)
