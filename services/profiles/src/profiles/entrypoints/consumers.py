"""Kafka consumers: matching's events keep each mentor's current load.

Typed subscribers (``runtime.consumers.on``): the kit validates the payload and checks
that its tenant is the envelope's before the handler runs, dead-letters what fails, and
skips event ids already processed. The effect is idempotent too (upsert by match id, the
load recomputed from the matches).
"""

from __future__ import annotations

from chassis.app import Runtime
from chassis.consumers import Consumed
from mentorship_contracts.events.matching import MatchMadeV1, MentorshipEndedV1
from profiles import contracts_mapping
from profiles.adapters.loads import MentorLoads


def register(runtime: Runtime, loads: MentorLoads) -> None:
    @runtime.consumers.on(MatchMadeV1, name="mentor-load-made")
    async def on_match_made(event: Consumed[MatchMadeV1]) -> None:
        made = event.payload
        await loads.match_made(made.match_id, contracts_mapping.match_facts(made))

    @runtime.consumers.on(MentorshipEndedV1, name="mentor-load-ended")
    async def on_mentorship_ended(event: Consumed[MentorshipEndedV1]) -> None:
        ended = event.payload
        await loads.match_ended(ended.match_id, contracts_mapping.match_facts(ended))
