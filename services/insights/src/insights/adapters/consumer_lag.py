"""How far the service's consumers are behind the topics they fold (records not yet
committed), from the groups' committed offsets and the partitions' end offsets.

The nudge scan asks it first: right after a start or a rebuild the read model is behind,
and a mentorship whose messages are not folded yet would look quiet.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from chassis.kafka import client_options, settings_security
from chassis.settings import ServiceSettings


class ConsumerLag:
    def __init__(self, settings: ServiceSettings, consumers: Sequence[tuple[str, str]]) -> None:
        """``consumers``: (contract topic, consumer name) of the service's consumers."""
        self.settings = settings
        self.consumers = list(consumers)

    async def total(self) -> int:
        """Records of the consumed topics not yet committed by their consumer group (a
        partition its group never committed counts whole)."""
        options = client_options(settings_security(self.settings))
        admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap, **options)
        reader = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap, **options)
        await admin.start()
        await reader.start()
        try:
            cluster = await reader._client.fetch_all_metadata()  # no public call for it
            lag = 0
            for topic, name in self.consumers:
                physical = self.settings.topic(topic)
                partitions = [
                    TopicPartition(physical, p)
                    for p in sorted(cluster.partitions_for_topic(physical) or ())
                ]
                if not partitions:
                    continue
                ends = await reader.end_offsets(partitions)
                committed = await admin.list_consumer_group_offsets(
                    self.settings.group(name), partitions=partitions
                )
                for tp in partitions:
                    done = committed.get(tp)
                    lag += max(0, ends[tp] - (done.offset if done and done.offset >= 0 else 0))
            return lag
        finally:
            await reader.stop()
            await admin.close()
