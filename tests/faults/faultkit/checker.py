"""The checker: judges a run from what clients were told and what the platform holds.

Independent of the services' code: it reads the ledger of the load generator, every topic
from offset 0 with a plain aiokafka consumer (CloudEvents headers, JSON bodies), and the
read models through the public HTTP APIs. It reports

* ``lost``: an acknowledged write that is missing (from its topic or from the API);
* ``duplicate``: an effect that happened twice (a request matched twice, a capacity
  exceeded, a pair matched twice);
* ``order``: a key's events on a topic going backwards (after dropping redeliveries of an
  event id already seen, which consumers are built to skip);
* ``5xx``: a server error a client saw, other than a 503 with ``Retry-After`` while the
  database was down (or just after), and any error answer that is not problem+json;
* ``read-model``: a read model that differs from the services' own rebuild by replay, or
  two read models that disagree about the same facts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from faultkit import registry
from faultkit.load import Clients, Ledger, World

CATEGORIES = ("lost", "duplicate", "order", "5xx", "read-model")


@dataclass(frozen=True)
class Finding:
    category: str
    detail: str


@dataclass
class Platform:
    """What the platform holds: HTTP clients of every service and the decoded topics."""

    clients: Clients
    topics: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tenant: str = ""

    def events(self, topic: str) -> list[dict[str, Any]]:
        """The topic's events of this run's tenant, first delivery of each id only."""
        seen: set[str] = set()
        out = []
        for e in self.topics.get(topic, []):
            if e["tenantid"] == self.tenant and e["id"] not in seen:
                seen.add(e["id"])
                out.append(e)
        return out


async def read_topics(
    bootstrap: str, prefix: str, topics: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """Every record of ``topics`` from offset 0 up to their current end, per partition in
    offset order: ``{"id", "type", "tenantid", "time", "key", "partition", "offset", "data",
    "headers"}``."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    out: dict[str, list[dict[str, Any]]] = {}
    try:
        partitions = [
            TopicPartition(prefix + t, p)
            for t in topics
            for p in (
                consumer.partitions_for_topic(prefix + t) or await _partitions(consumer, prefix + t)
            )
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        pending = {tp for tp in partitions if ends[tp] > 0}
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=2000, max_records=2000)
            for tp, records in batch.items():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers}
                    out.setdefault(tp.topic.removeprefix(prefix), []).append(
                        {
                            "id": headers.get("ce_id"),
                            "type": headers.get("ce_type"),
                            "tenantid": headers.get("ce_tenantid"),
                            "time": headers.get("ce_time"),
                            "key": record.key.decode() if record.key else None,
                            "partition": tp.partition,
                            "offset": record.offset,
                            "data": json.loads(record.value or b"null"),
                            "headers": headers,
                        }
                    )
                if records and records[-1].offset + 1 >= ends[tp]:
                    pending.discard(tp)
    finally:
        await consumer.stop()
    return out


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()  # a topic not fetched yet
    return consumer.partitions_for_topic(topic) or set()


#: topics whose order is not a promise, each with the reason (flow modules fill it in)
UNORDERED: dict[str, str] = {}


def order_violations(platform: Platform) -> list[Finding]:
    findings = []
    for topic in platform.topics:
        if topic in UNORDERED:
            continue
        order_field = registry.ORDER_FIELDS.get(topic)
        last: dict[str, Any] = {}
        for e in platform.events(topic):
            position = e["data"].get(order_field) if order_field else e["time"]
            key = e["key"]
            if key in last and position is not None and position < last[key]:
                findings.append(
                    Finding("order", f"{topic} key {key}: {position} after {last[key]}")
                )
            last[key] = position
    return findings


@dataclass(frozen=True)
class Window:
    """A span of the run (seconds on the ledger's clock) in which some answers are allowed."""

    start: float
    end: float


def server_errors(ledger: Ledger, database_down: list[Window]) -> list[Finding]:
    findings = []
    for o in ledger.outcomes:
        if o.status is None or o.status < 400:
            continue
        if not o.problem_json:
            findings.append(Finding("5xx", f"{o.method} {o.route} {o.status} not problem+json"))
        if o.status < 500:
            continue
        excused = (
            o.status == 503
            and o.retry_after
            and any(w.start <= o.at <= w.end for w in database_down)
        )
        if not excused:
            findings.append(
                Finding("5xx", f"{o.flow}: {o.method} {o.route} answered {o.status} at {o.at:.1f}s")
            )
    return findings


async def snapshots(world: World, clients: Clients) -> dict[str, Any]:
    return {s.name: await s.take(world, clients) for s in registry.SNAPSHOTS}


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[Finding]:
    findings = []
    for name in before:
        b, a = before[name], after.get(name, {})
        for key in sorted(set(b) | set(a)):
            if b.get(key) != a.get(key):
                findings.append(
                    Finding(
                        "read-model",
                        f"{name}: {key} was {b.get(key)!r}, after replay {a.get(key)!r}",
                    )
                )
    return findings


async def run_checks(world: World, ledger: Ledger, platform: Platform) -> list[Finding]:
    findings: list[Finding] = []
    for check in registry.CHECKS:
        findings += await check.run(world, ledger, platform)
    return findings


def summarize(findings: list[Finding]) -> dict[str, int]:
    return {c: sum(1 for f in findings if f.category == c) for c in CATEGORIES}
