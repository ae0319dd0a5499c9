"""Kafka broker (FastStream over aiokafka) and topic provisioning from the contracts."""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker

from chassis.settings import ServiceSettings
from mentorship_contracts.topics import ALL_TOPICS, DEAD_LETTER_TOPICS, TopicSpec


def create_broker(settings: ServiceSettings) -> KafkaBroker:
    """An idempotent, ``acks=all`` producer plus whatever subscribers get registered."""
    return KafkaBroker(
        settings.kafka_bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        client_id=settings.service_name,
        logger=logging.getLogger("faststream"),  # through our JSON handler
        log_level=logging.DEBUG,  # per-message access logs; our consumers log what matters
    )


async def ensure_topics(
    bootstrap: str,
    *,
    prefix: str = "",
    topics: tuple[TopicSpec, ...] | None = None,
    replication_factor: int = 1,
) -> list[str]:
    """Create every contract topic (and its dead-letter topic) that does not exist yet."""
    specs = topics if topics is not None else (*ALL_TOPICS, *DEAD_LETTER_TOPICS)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=prefix + spec.name,
                num_partitions=spec.partitions,
                replication_factor=replication_factor,
                topic_configs=spec.kafka_config(),
            )
            for spec in specs
            if prefix + spec.name not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
        return [t.name for t in wanted]
    finally:
        await admin.close()
