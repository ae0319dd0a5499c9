"""Reads the consumed topics from offset 0 to where they end now (aiokafka), for the
rebuild, then commits those end offsets for the service's own consumer groups so the
service continues after what was replayed.

A fresh consumer group reads (its name is never reused); records are parsed with the
contract (envelope + payload); an event that is not valid for its topic is skipped and
counted, as the live consumers would dead-letter it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from chassis.kafka import client_options, settings_security
from chassis.settings import ServiceSettings
from insights.domain.projection import epoch
from mentorship_contracts.envelope import from_kafka
from mentorship_contracts.events import EventPayload, parse_payload

log = logging.getLogger("insights.replay")


@dataclass(frozen=True)
class Replayed:
    id: str
    at: int
    payload: EventPayload


class KafkaTopicReplay:
    def __init__(
        self,
        settings: ServiceSettings,
        consumers: Sequence[tuple[str, str]],
        *,
        batch: int = 5000,
    ) -> None:
        """``consumers``: (contract topic, consumer name) of the service's live consumers."""
        self.settings = settings
        self.consumers = list(consumers)
        self.batch = batch
        self.skipped = 0
        self.ends: dict[TopicPartition, int] = {}

    def _consumer(self, group_id: str | None) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
            **client_options(settings_security(self.settings)),
        )

    async def events(self) -> AsyncIterator[Replayed]:
        topics = sorted({self.settings.topic(t) for t, _ in self.consumers})
        consumer = self._consumer(f"{self.settings.group('rebuild')}.{uuid.uuid4().hex[:8]}")
        await consumer.start()
        try:
            # the cluster's partitions of every topic (aiokafka has no public call for it)
            cluster = await consumer._client.fetch_all_metadata()
            partitions = [
                TopicPartition(t, p)
                for t in topics
                for p in sorted(cluster.partitions_for_topic(t) or ())
            ]
            consumer.assign(partitions)
            self.ends = {tp: o for tp, o in (await consumer.end_offsets(partitions)).items()}
            await consumer.seek_to_beginning(*partitions)
            remaining = {tp for tp, end in self.ends.items() if end > 0}
            while remaining:
                batches = await consumer.getmany(
                    *remaining, timeout_ms=1000, max_records=self.batch
                )
                for tp, records in batches.items():
                    for record in records:
                        if record.offset >= self.ends[tp]:
                            continue
                        try:
                            event = from_kafka(record.value or b"", record.headers or [])
                            payload = parse_payload(event)
                        except (ValueError, LookupError):
                            self.skipped += 1
                            continue
                        yield Replayed(event.id, epoch(event.time), payload)
                    if records and records[-1].offset >= self.ends[tp] - 1:
                        remaining.discard(tp)
                for tp in list(remaining):
                    if await consumer.position(tp) >= self.ends[tp]:
                        remaining.discard(tp)
        finally:
            await consumer.stop()

    async def hand_over(self) -> None:
        """Commit the replay's end offsets for every live consumer group."""
        for topic, name in self.consumers:
            physical = self.settings.topic(topic)
            offsets = {
                tp: OffsetAndMetadata(end, "")
                for tp, end in self.ends.items()
                if tp.topic == physical
            }
            if not offsets:
                continue
            consumer = self._consumer(self.settings.group(name))
            await consumer.start()
            try:
                consumer.assign(list(offsets))
                await consumer.commit(offsets)
            finally:
                await consumer.stop()
