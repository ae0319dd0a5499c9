"""Use case: rebuild the read model by replaying the topics from offset 0.

The same pure fold as the live consumers, in memory, then one bulk write into the emptied
read-model database; finally the service's consumer groups are moved to where the replay
ended, so the service continues from there. Duplicates on the wire (the same event id
twice) are folded once, as the live consumers' markers would.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from insights.application.ports import Buckets, TopicReplay
from insights.domain.projection import Entries, apply, target_of


@dataclass(frozen=True)
class Rebuilt:
    events: int
    folded: int
    buckets: int
    read_and_fold_seconds: float
    write_seconds: float
    hand_over_seconds: float


class RebuildReadModel:
    def __init__(self, *, replay: TopicReplay, buckets: Buckets) -> None:
        self.replay = replay
        self.buckets = buckets

    async def __call__(self) -> Rebuilt:
        started = time.perf_counter()
        state: dict[str, Entries] = {}
        seen: set[str] = set()
        events = folded = 0
        async for event in self.replay.events():
            events += 1
            if event.id in seen:
                continue
            seen.add(event.id)
            target = target_of(event.payload)
            if target is None:
                continue
            entries = state.setdefault(target.bucket, {})
            if apply(entries, target.key, event.payload, event.at):
                folded += 1
        state = {k: v for k, v in state.items() if v}
        folded_at = time.perf_counter()
        await self.buckets.drop()
        await self.buckets.write_all(state)
        written_at = time.perf_counter()
        await self.replay.hand_over()
        return Rebuilt(
            events=events,
            folded=folded,
            buckets=len(state),
            read_and_fold_seconds=folded_at - started,
            write_seconds=written_at - folded_at,
            hand_over_seconds=time.perf_counter() - written_at,
        )
