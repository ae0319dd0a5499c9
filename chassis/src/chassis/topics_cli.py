"""``python -m chassis.topics_cli create``: create the platform's topics from the contracts.

Topics are never auto-created; this is the platform's provisioning step (a Kubernetes Job
in ``deploy/k8s``, a step of ``make up`` locally).
"""

from __future__ import annotations

import argparse
import asyncio
import os

from chassis.kafka import add_kafka_arguments, ensure_topics, environment_security


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["create"])
    add_kafka_arguments(parser)
    parser.add_argument("--prefix", default=os.environ.get("TOPIC_PREFIX", ""))
    parser.add_argument(
        "--replication-factor",
        type=int,
        default=int(os.environ.get("TOPIC_REPLICATION_FACTOR", "1")),
    )
    args = parser.parse_args()
    security = environment_security(args.security_protocol, args.sasl_mechanism, args.ssl_cafile)
    created = asyncio.run(
        ensure_topics(
            args.bootstrap,
            prefix=args.prefix,
            replication_factor=args.replication_factor,
            security=security,
        )
    )
    print(f"created {len(created)} topic(s)" + (f": {', '.join(created)}" if created else ""))


if __name__ == "__main__":
    main()
