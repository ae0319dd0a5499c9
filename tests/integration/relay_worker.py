"""A relay in its own process, so a test can kill -9 it mid-batch.

usage: python relay_worker.py MONGO_URL DB KAFKA_BOOTSTRAP TOPIC_PREFIX BATCH_SIZE
"""

from __future__ import annotations

import asyncio
import sys

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from chassis.eventstore import EventStore
from chassis.outbox import OutboxRelay


async def main(mongo_url: str, db: str, bootstrap: str, prefix: str, batch: int) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url, tz_aware=True)
    broker = KafkaBroker(bootstrap, enable_idempotence=True, acks="all")
    await broker.start()
    store = EventStore(client[db], source="/test/relay-worker")
    relay = OutboxRelay(store, broker, topic_prefix=prefix, batch_size=batch)
    print("relay started", flush=True)
    await relay.run()


if __name__ == "__main__":
    mongo_url, db, bootstrap, prefix, batch = sys.argv[1:6]
    asyncio.run(main(mongo_url, db, bootstrap, prefix, int(batch)))
