"""``python -m chassis.topics_cli create``: create the platform's topics from the contracts.

Topics are never auto-created; this is the platform's provisioning step (a Kubernetes Job
in ``deploy/k8s``, a step of ``make up`` locally).
"""

from __future__ import annotations

import argparse
import asyncio
import os

from chassis.kafka import ensure_topics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["create"])
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--prefix", default=os.environ.get("TOPIC_PREFIX", ""))
    parser.add_argument(
        "--replication-factor",
        type=int,
        default=int(os.environ.get("TOPIC_REPLICATION_FACTOR", "1")),
    )
    args = parser.parse_args()
    created = asyncio.run(
        ensure_topics(
            args.bootstrap, prefix=args.prefix, replication_factor=args.replication_factor
        )
    )
    print(f"created {len(created)} topic(s)" + (f": {', '.join(created)}" if created else ""))


if __name__ == "__main__":
    main()
