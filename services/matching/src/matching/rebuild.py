"""``python -m matching.rebuild``: rebuild the read models of the mentors' books from the
event store (requests, mentorships, groups, member summaries, mentor availability).

Run it with the service's environment (``MATCHING_MONGO_URL``, ``MATCHING_MONGO_DB`` ...)
after a read model was lost or damaged; the service may keep running (every write is a
whole-document put of what the desks' events say). The scoring pools and the
recommendations are not touched: the service rebuilds those at every start.
"""

from __future__ import annotations

import asyncio
import time

from chassis.app import build_runtime
from matching.bootstrap import build_service
from matching.settings import MatchingSettings


async def main() -> None:
    settings = MatchingSettings()
    runtime = build_runtime(settings)
    service = build_service(runtime, settings)
    try:
        await service.read_models.ensure_indexes()
        await service.embedder.warm_up()
        await service.pools.load_all(service.embedder)  # next-best offers need the pools
        started = time.perf_counter()
        books = await service.rebuild_read_models()
        print(f"replayed {books} mentor book(s) in {time.perf_counter() - started:.1f} s")
    finally:
        await runtime.mongo.close()


if __name__ == "__main__":
    asyncio.run(main())
