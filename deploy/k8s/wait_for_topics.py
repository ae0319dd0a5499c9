"""Init container of every service: wait until the platform's Kafka topics exist.

Topics are never auto-created; the ``mentorship-topics`` Job creates them
(``python -m chassis.topics_cli create``). ``kubectl apply`` starts the Job and the
Deployments at the same time, so each service pod waits here until every contract topic
(and its dead-letter topic) exists. Exits 0 when they do, 1 after ``--timeout`` seconds (the
kubelet then restarts the init container with back-off, visible as ``Init:Error``).

Reads the same environment variables as ``chassis.topics_cli``: ``KAFKA_BOOTSTRAP``,
``TOPIC_PREFIX`` and, to authenticate, ``KAFKA_SECURITY_PROTOCOL`` (``PLAINTEXT``, ``SSL``,
``SASL_PLAINTEXT``, ``SASL_SSL``), ``KAFKA_SASL_MECHANISM``, ``KAFKA_SSL_CAFILE``,
``KAFKA_SASL_USERNAME`` and ``KAFKA_SASL_PASSWORD`` (credentials from the environment only,
never from the command line). A configuration that cannot work (SASL without credentials, a
CA file that does not exist) exits 2 at once instead of waiting.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient
from faststream.security import BaseSecurity

from chassis.kafka import add_kafka_arguments, client_options, environment_security
from mentorship_contracts.topics import ALL_TOPICS, DEAD_LETTER_TOPICS


def wanted_topics(prefix: str) -> set[str]:
    """Every physical topic name the platform uses under ``prefix``."""
    return {prefix + spec.name for spec in (*ALL_TOPICS, *DEAD_LETTER_TOPICS)}


def missing_topics(existing: Iterable[str], prefix: str) -> list[str]:
    return sorted(wanted_topics(prefix) - set(existing))


#: How to authenticate, as ``chassis.topics_cli`` does (username, password: environment).
security = environment_security


async def list_topics(bootstrap: str, auth: BaseSecurity | None = None) -> set[str]:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=10_000, **client_options(auth)
    )
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def wait(
    bootstrap: str,
    prefix: str,
    patience: float,
    interval: float,
    auth: BaseSecurity | None = None,
) -> list[str]:
    """Poll until no topic is missing or ``patience`` seconds passed; returns what is missing."""
    deadline = time.monotonic() + patience
    missing = sorted(wanted_topics(prefix))
    while True:
        try:
            missing = missing_topics(await list_topics(bootstrap, auth), prefix)
            if not missing:
                return []
            print(f"waiting for {len(missing)} topic(s): {', '.join(missing[:5])} ...", flush=True)
        except Exception as exc:  # Kafka not reachable yet (or refusing us): keep waiting
            print(f"waiting for Kafka at {bootstrap}: {type(exc).__name__}: {exc}", flush=True)
        if time.monotonic() + interval > deadline:
            return missing
        await asyncio.sleep(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_kafka_arguments(parser)
    parser.add_argument("--prefix", default=os.environ.get("TOPIC_PREFIX", ""))
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args(argv)
    try:
        auth = security(args.security_protocol, args.sasl_mechanism, args.ssl_cafile)
    except (ValueError, OSError) as exc:  # no credentials for SASL, an unreadable CA file
        print(f"cannot connect to Kafka as configured: {exc}", flush=True)
        return 2
    missing = asyncio.run(wait(args.bootstrap, args.prefix, args.timeout, args.interval, auth))
    if missing:
        print(f"topics still missing after {args.timeout:.0f}s: {', '.join(missing)}", flush=True)
        return 1
    print(f"all {len(wanted_topics(args.prefix))} topics exist", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
