"""Folds each consumed event into the read model (one bucket write per event).

The fold itself is :func:`insights.domain.projection.apply` (pure, idempotent, independent
of the order of topics); this only finds the bucket and hands the fold to the store.
"""

from __future__ import annotations

from insights.application.ports import Buckets
from insights.domain.projection import Entries, apply, target_of
from mentorship_contracts.events import EventPayload


class Projector:
    def __init__(self, buckets: Buckets) -> None:
        self.buckets = buckets

    async def project(self, payload: EventPayload, at: int) -> bool:
        """Returns whether the event changed the read model (False: ignored or known)."""
        target = target_of(payload)
        if target is None:
            return False

        def change(entries: Entries) -> bool:
            return apply(entries, target.key, payload, at)

        return await self.buckets.update(target.bucket, change)
