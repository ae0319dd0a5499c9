"""Init container of every service: wait until the platform's Kafka topics exist.

Topics are never auto-created; the ``mentorship-topics`` Job creates them
(``python -m chassis.topics_cli create``). ``kubectl apply`` starts the Job and the
Deployments at the same time, so each service pod waits here until every contract topic
(and its dead-letter topic) exists. Exits 0 when they do, 1 after ``--timeout`` seconds (the
kubelet then restarts the init container with back-off, visible as ``Init:Error``).

Reads the same environment variables as ``chassis.topics_cli``: ``KAFKA_BOOTSTRAP`` and
``TOPIC_PREFIX``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient

from mentorship_contracts.topics import ALL_TOPICS, DEAD_LETTER_TOPICS


def wanted_topics(prefix: str) -> set[str]:
    """Every physical topic name the platform uses under ``prefix``."""
    return {prefix + spec.name for spec in (*ALL_TOPICS, *DEAD_LETTER_TOPICS)}


def missing_topics(existing: Iterable[str], prefix: str) -> list[str]:
    return sorted(wanted_topics(prefix) - set(existing))


async def list_topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def wait(bootstrap: str, prefix: str, patience: float, interval: float) -> list[str]:
    """Poll until no topic is missing or ``patience`` seconds passed; returns what is missing."""
    deadline = time.monotonic() + patience
    missing = sorted(wanted_topics(prefix))
    while True:
        try:
            missing = missing_topics(await list_topics(bootstrap), prefix)
            if not missing:
                return []
            print(f"waiting for {len(missing)} topic(s): {', '.join(missing[:5])} ...", flush=True)
        except Exception as exc:  # Kafka not reachable yet: keep waiting until the deadline
            print(f"waiting for Kafka at {bootstrap}: {type(exc).__name__}: {exc}", flush=True)
        if time.monotonic() + interval > deadline:
            return missing
        await asyncio.sleep(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--prefix", default=os.environ.get("TOPIC_PREFIX", ""))
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args(argv)
    missing = asyncio.run(wait(args.bootstrap, args.prefix, args.timeout, args.interval))
    if missing:
        print(f"topics still missing after {args.timeout:.0f}s: {', '.join(missing)}", flush=True)
        return 1
    print(f"all {len(wanted_topics(args.prefix))} topics exist", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
