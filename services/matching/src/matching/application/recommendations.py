"""Writes the recommendation documents of the mentees whose lists changed.

The scoring pools mark mentees dirty and signal :class:`ListsChanged`; this writer (a
background task) takes the dirty sets, builds the documents (with explanations) under
each pool's lock, and writes the ones whose digest differs from what is stored, one point
write each (a few in flight at once). Many changes in a burst (an import, a rules change)
coalesce into one write per mentee.
"""

from __future__ import annotations

import asyncio
import logging

from matching.application.ports import Pools, RecommendationLists

log = logging.getLogger("matching.recommendations")


class ListsChanged:
    """The pools' signal to the writer that some lists changed (``notify``)."""

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.idle = asyncio.Event()
        self.idle.set()

    def notify(self) -> None:
        self.idle.clear()
        self.wake.set()


class RecommendationWriter:
    def __init__(
        self,
        pools: Pools,
        read_models: RecommendationLists,
        changed: ListsChanged,
        *,
        flush_seconds: float,
        concurrency: int = 4,
    ) -> None:
        self.pools = pools
        self.read_models = read_models
        self.flush_seconds = flush_seconds
        self.concurrency = max(1, concurrency)
        self.digests: dict[str, str] = {}
        self._wake = changed.wake
        self._idle = changed.idle

    async def load_digests(self) -> None:
        self.digests = await self.read_models.recommendation_digests()

    async def run(self) -> None:
        backoff = 0.1
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.flush_seconds)
            self._wake.clear()
            try:
                await self.flush()
                backoff = 0.1
                if not self._wake.is_set():
                    self._idle.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("writing recommendations failed; retrying in %.1fs", backoff)
                self._wake.set()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def flush(self) -> int:
        written = 0
        for pool in self.pools.all():
            if not pool.dirty and not pool.gone:
                continue
            async with pool.lock:
                docs, gone = await asyncio.to_thread(pool.take_changes)
            try:
                changed = [
                    (key, doc)
                    for key, doc in docs.items()
                    if self.digests.get(key) != doc["digest"]
                ]
                # a few point writes in flight at once: a mentor's edit often touches
                # several lists, and each write is a round trip
                for start in range(0, len(changed), self.concurrency):
                    group = changed[start : start + self.concurrency]
                    await asyncio.gather(
                        *(
                            self.read_models.put_recommendation(
                                key, doc, exists=key in self.digests
                            )
                            for key, doc in group
                        )
                    )
                    for key, doc in group:
                        self.digests[key] = doc["digest"]
                    written += len(group)
                for key in gone:
                    await self.read_models.delete_recommendation(key)
                    self.digests.pop(key, None)
            except Exception:
                # Put them back so the next flush retries them.
                async with pool.lock:
                    pool.dirty |= {doc["mentee_id"] for doc in docs.values()}
                    pool.gone |= {key.rsplit("|", 1)[1] for key in gone}
                raise
        return written

    async def idle(self) -> None:
        """Wait until everything marked so far is written (for tests and shutdown)."""
        await self._idle.wait()
