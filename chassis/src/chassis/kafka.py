"""Kafka broker (FastStream over aiokafka) and topic provisioning from the contracts."""

from __future__ import annotations

import argparse
import logging
import os
import ssl
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    InvalidProducerEpoch,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    TopicAlreadyExistsError,
    UnknownProducerId,
)
from faststream.kafka import KafkaBroker
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from chassis.settings import ServiceSettings
from mentorship_contracts.topics import ALL_TOPICS, DEAD_LETTER_TOPICS, TopicSpec

log = logging.getLogger("chassis.kafka")


def kafka_security(
    protocol: str,
    *,
    mechanism: str = "SCRAM-SHA-512",
    username: str | None = None,
    password: str | None = None,
    cafile: Path | None = None,
) -> BaseSecurity | None:
    """FastStream's description of how to authenticate to Kafka (``None``: plaintext)."""
    if protocol == "PLAINTEXT":
        return None
    use_ssl = protocol in ("SSL", "SASL_SSL")
    context = None
    if use_ssl:
        context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    if not (username and password):
        raise ValueError(f"Kafka {protocol} needs a SASL username and password")
    sasl = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}
    return sasl[mechanism](username, password, ssl_context=context, use_ssl=use_ssl)


def add_kafka_arguments(parser: argparse.ArgumentParser) -> None:
    """The Kafka connection flags of the platform's command-line tools (``topics_cli``,
    ``deploy/k8s/wait_for_topics.py``); defaults come from the unprefixed environment."""
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
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


def environment_security(protocol: str, mechanism: str, cafile: str | None) -> BaseSecurity | None:
    """How a tool authenticates: the flags above, the credentials only from the environment
    (``KAFKA_SASL_USERNAME``, ``KAFKA_SASL_PASSWORD``), never from argv."""
    return kafka_security(
        protocol,
        mechanism=mechanism,
        username=os.environ.get("KAFKA_SASL_USERNAME"),
        password=os.environ.get("KAFKA_SASL_PASSWORD"),
        cafile=Path(cafile) if cafile else None,
    )


def settings_security(settings: ServiceSettings) -> BaseSecurity | None:
    password = settings.kafka_sasl_password
    return kafka_security(
        settings.kafka_security_protocol,
        mechanism=settings.kafka_sasl_mechanism,
        username=settings.kafka_sasl_username,
        password=password.get_secret_value() if password else None,
        cafile=settings.kafka_ssl_cafile,
    )


def client_options(security: BaseSecurity | None) -> dict[str, Any]:
    """The same, as keyword arguments of aiokafka's clients (admin, producer, consumer)."""
    return parse_security(security)


def create_broker(settings: ServiceSettings) -> KafkaBroker:
    """An idempotent, ``acks=all`` producer plus whatever subscribers get registered."""
    return KafkaBroker(
        settings.kafka_bootstrap,
        security=settings_security(settings),
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        client_id=settings.service_name,
        logger=logging.getLogger("faststream"),  # through our JSON handler
        log_level=logging.DEBUG,  # per-message access logs; our consumers log what matters
    )


#: Errors after which an idempotent producer stays broken: a batch that failed during a
#: broker outage leaves a gap in its sequence numbers, and aiokafka (unlike the Java client)
#: does not bump its epoch, so every later send to that partition fails the same way. Only
#: a new producer (a new producer id) sends again. Measured in the soak: after a 30 s
#: Kafka stop, profiles' relay failed with OutOfOrderSequenceNumber for 8 minutes.
BROKEN_PRODUCER = (
    OutOfOrderSequenceNumber,
    UnknownProducerId,
    InvalidProducerEpoch,
    ProducerFenced,
)


async def renew_producer(broker: KafkaBroker) -> None:
    """Replace the broker's producer (and admin client) with new ones; its subscribers keep
    their consumers. FastStream has no public call for it: this goes through the broker's
    configuration, which is what ``KafkaBroker.connect`` itself calls."""
    log.warning("renewing the Kafka producer (its idempotent sequence is broken)")
    await broker.config.disconnect()
    await broker.config.connect(**broker._connection_kwargs)


async def ensure_topics(
    bootstrap: str,
    *,
    prefix: str = "",
    topics: tuple[TopicSpec, ...] | None = None,
    replication_factor: int = 1,
    security: BaseSecurity | None = None,
) -> list[str]:
    """Create every contract topic (and its dead-letter topic) that does not exist yet."""
    specs = topics if topics is not None else (*ALL_TOPICS, *DEAD_LETTER_TOPICS)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options(security))
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
