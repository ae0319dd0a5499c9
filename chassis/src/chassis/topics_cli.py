"""``python -m chassis.topics_cli create``: create the platform's topics from the contracts.

Topics are never auto-created; this is the platform's provisioning step (a Kubernetes Job
in ``deploy/k8s``, a step of ``make up`` locally).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from chassis.kafka import ensure_topics, kafka_security


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
    parser.add_argument(
        "--security-protocol",
        default=os.environ.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"),
        choices=["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"],
    )
    parser.add_argument(
        "--sasl-mechanism",
        default=os.environ.get("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
        choices=["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"],
    )
    parser.add_argument("--ssl-cafile", default=os.environ.get("KAFKA_SSL_CAFILE"))
    args = parser.parse_args()
    security = kafka_security(  # credentials only from the environment, never argv
        args.security_protocol,
        mechanism=args.sasl_mechanism,
        username=os.environ.get("KAFKA_SASL_USERNAME"),
        password=os.environ.get("KAFKA_SASL_PASSWORD"),
        cafile=Path(args.ssl_cafile) if args.ssl_cafile else None,
    )
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
