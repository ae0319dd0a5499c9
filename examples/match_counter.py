"""A platform team's consumer: active mentorships per program, from two public topics.

Uses only `mentorship-contracts` and FastStream. Run: `python examples/match_counter.py`.
"""

import os

from faststream import FastStream
from faststream.kafka import KafkaBroker, KafkaMessage

from mentorship_contracts import envelope
from mentorship_contracts.events import MatchMadeV1, MentorshipEndedV1, parse_payload

PREFIX = os.environ.get("TOPIC_PREFIX", "")
broker = KafkaBroker(os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
active: dict[str, set[str]] = {}  # program id -> match ids
ended: set[str] = set()  # two topics: an ending may arrive before its match
seen: set[str] = set()  # event ids: Kafka delivers at least once


@broker.subscriber(
    f"{PREFIX}match-made",
    f"{PREFIX}mentorship-ended",
    group_id="analytics.match-counter",  # a new group id replays both topics from the start
    auto_offset_reset="earliest",
)
async def on_event(message: KafkaMessage) -> None:
    record = message.raw_message
    event = envelope.from_kafka(record.value, record.headers)  # type: ignore[union-attr]
    if event.id in seen:
        return
    payload = parse_payload(event)
    if isinstance(payload, MatchMadeV1) and payload.match_id not in ended:
        active.setdefault(payload.program_id, set()).add(payload.match_id)
    elif isinstance(payload, MentorshipEndedV1):
        ended.add(payload.match_id)
        active.get(payload.program_id, set()).discard(payload.match_id)
    seen.add(event.id)


app = FastStream(broker)

if __name__ == "__main__":
    import asyncio

    asyncio.run(app.run())
