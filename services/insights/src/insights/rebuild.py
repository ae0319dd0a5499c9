"""``python -m insights.rebuild``: drop the read model and rebuild it from the topics.

Run it with the service's environment (``INSIGHTS_MONGO_URL``, ``INSIGHTS_KAFKA_BOOTSTRAP``,
``INSIGHTS_TOPIC_PREFIX`` ...) while the service is stopped: it reads every consumed topic
from offset 0 to its current end with a fresh consumer group, folds the events exactly as
the live consumers do, writes the read-model database (``INSIGHTS_REPORTS_DB``) anew, and
commits the end offsets for the service's consumer groups, so the service, started
again, continues from there. Insights' own event store (goals, check-ins, rules, nudges)
is not touched: it is the source of the goal-updated and check-in-answered topics.
A rebuild sees what the topics still hold: profiles, programs, matches, goals and check-ins
are kept without limit (or compacted); activity topics expire after their retention.
"""

from __future__ import annotations

import asyncio
import time

from chassis.app import build_runtime
from insights.adapters.topic_replay import KafkaTopicReplay
from insights.application.rebuild import RebuildReadModel
from insights.bootstrap import build_buckets
from insights.entrypoints.consumers import topics_and_names
from insights.settings import InsightsSettings


async def main() -> None:
    settings = InsightsSettings()
    runtime = build_runtime(settings)
    replay = KafkaTopicReplay(settings, topics_and_names())
    rebuild = RebuildReadModel(replay=replay, buckets=build_buckets(runtime, settings))
    try:
        started = time.perf_counter()
        done = await rebuild()
        seconds = time.perf_counter() - started
        print(
            f"replayed {done.events} events ({done.folded} changed the read model, "
            f"{replay.skipped} invalid skipped) into {done.buckets} buckets in {seconds:.1f} s"
        )
    finally:
        await runtime.mongo.close()


if __name__ == "__main__":
    asyncio.run(main())
