"""Smoke tests through the real infrastructure: Kafka (FastStream), FerretDB, MinIO."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker
from minio import Minio
from pymongo import AsyncMongoClient

from testkit.infra import Infra


async def test_faststream_publish_subscribe_round_trip(infra: Infra) -> None:
    topic = f"smoke-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    await admin.close()

    broker = KafkaBroker(infra.kafka_bootstrap)
    received: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

    @broker.subscriber(topic, group_id=f"smoke-{topic}", auto_offset_reset="earliest")
    async def on_message(body: dict[str, str]) -> None:
        if not received.done():
            received.set_result(body)

    async with broker:
        await broker.start()
        await broker.publish({"hello": "mentor"}, topic, key=b"k1")
        assert await asyncio.wait_for(received, timeout=30) == {"hello": "mentor"}


async def test_document_round_trip_through_async_mongo_client(infra: Infra) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(infra.mongo_url)
    db = client[f"smoke_{uuid.uuid4().hex[:8]}"]
    try:
        await db.things.insert_one({"_id": "a", "skills": ["python", "kafka"], "years": 7})
        doc = await db.things.find_one({"skills": "kafka"})
        assert doc == {"_id": "a", "skills": ["python", "kafka"], "years": 7}
        updated = await db.things.find_one_and_update(
            {"_id": "a"}, {"$inc": {"years": 1}}, return_document=True
        )
        assert updated is not None and updated["years"] == 8
    finally:
        await client.drop_database(db.name)
        await client.close()


def test_object_round_trip_through_minio(infra: Infra) -> None:
    import io

    client = Minio(
        infra.minio_endpoint,
        access_key=infra.minio_access_key,
        secret_key=infra.minio_secret_key,
        secure=False,
    )
    bucket = f"smoke-{uuid.uuid4().hex[:8]}"
    client.make_bucket(bucket)
    data = uuid.uuid4().bytes * 1000
    client.put_object(bucket, "slides.pdf", io.BytesIO(data), len(data))
    response = client.get_object(bucket, "slides.pdf")
    try:
        assert response.read() == data
    finally:
        response.close()
        response.release_conn()
        client.remove_object(bucket, "slides.pdf")
        client.remove_bucket(bucket)


async def test_a_renewed_producer_has_a_new_producer_id_and_sends_again(infra: Infra) -> None:
    """What the outbox relay does when an idempotent producer's sequence broke: a new
    producer (new producer id) takes over, and the broker's subscribers keep running."""
    from chassis.kafka import renew_producer

    topic = f"renew-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    await admin.close()

    broker = KafkaBroker(infra.kafka_bootstrap, enable_idempotence=True, acks="all")
    seen: list[str] = []
    both = asyncio.Event()

    @broker.subscriber(topic, group_id=f"renew-{topic}", auto_offset_reset="earliest")
    async def on_message(body: dict[str, str]) -> None:
        seen.append(body["n"])
        if len(seen) == 2:
            both.set()

    def producer_id() -> int:
        return broker.config.broker_config.producer._producer.producer._txn_manager.producer_id

    async with broker:
        await broker.start()
        await broker.publish({"n": "before"}, topic, key=b"k")
        first = producer_id()
        await renew_producer(broker)
        await broker.publish({"n": "after"}, topic, key=b"k")
        assert producer_id() != first
        await asyncio.wait_for(both.wait(), timeout=30)
    assert seen == ["before", "after"]
