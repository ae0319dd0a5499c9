"""Where the tests find Kafka, a MongoDB wire server and MinIO.

``TEST_INFRA`` picks the provider:

* ``native`` (default): the local processes of ``deploy/local/stack.py`` — reused when a
  ``make up`` stack is running, started (and stopped afterwards) otherwise;
* ``external``: endpoints from ``TEST_KAFKA_BOOTSTRAP``, ``TEST_MONGO_URL``,
  ``TEST_MINIO_ENDPOINT``, ``TEST_MINIO_ACCESS_KEY``, ``TEST_MINIO_SECRET_KEY`` and a
  password-protected Kafka listener ``TEST_KAFKA_SASL_BOOTSTRAP`` (SASL PLAIN),
  ``TEST_KAFKA_SASL_USERNAME``, ``TEST_KAFKA_SASL_PASSWORD`` (a cluster);
* ``testcontainers``: Kafka, a real MongoDB image and MinIO in containers, where a Docker
  engine exists (no SASL listener: the Kafka authentication test fails there, saying so).

A provider that cannot deliver fails the run with its reason; nothing is skipped.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Infra:
    kafka_bootstrap: str
    mongo_url: str
    minio_endpoint: str
    minio_access_key: str
    minio_secret_key: str
    #: a Kafka listener that demands SASL PLAIN credentials: (bootstrap, username, password)
    kafka_sasl: tuple[str, str, str] | None = None


def load_stack() -> ModuleType:
    path = REPO / "deploy" / "local" / "stack.py"
    spec = importlib.util.spec_from_file_location("local_stack", path)
    assert spec and spec.loader, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules["local_stack"] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def native() -> Iterator[Infra]:
    stack = load_stack()
    started = stack.start(quiet=True)
    try:
        e = stack.endpoints()
        yield Infra(
            e["kafka_bootstrap"],
            e["mongo_url"],
            e["minio_endpoint"],
            e["minio_access_key"],
            e["minio_secret_key"],
            (e["kafka_sasl_bootstrap"], e["kafka_sasl_username"], e["kafka_sasl_password"]),
        )
    finally:
        if started:
            stack.stop(started)


@contextmanager
def external() -> Iterator[Infra]:
    try:
        yield Infra(
            os.environ["TEST_KAFKA_BOOTSTRAP"],
            os.environ["TEST_MONGO_URL"],
            os.environ["TEST_MINIO_ENDPOINT"],
            os.environ["TEST_MINIO_ACCESS_KEY"],
            os.environ["TEST_MINIO_SECRET_KEY"],
            (
                os.environ["TEST_KAFKA_SASL_BOOTSTRAP"],
                os.environ["TEST_KAFKA_SASL_USERNAME"],
                os.environ["TEST_KAFKA_SASL_PASSWORD"],
            ),
        )
    except KeyError as missing:
        raise RuntimeError(
            f"TEST_INFRA=external needs the environment variable {missing}"
        ) from None


@contextmanager
def testcontainers() -> Iterator[Infra]:
    try:
        from testcontainers.kafka import KafkaContainer
        from testcontainers.minio import MinioContainer
        from testcontainers.mongodb import MongoDbContainer
    except ImportError as exc:
        raise RuntimeError(
            "TEST_INFRA=testcontainers needs `uv pip install testcontainers[kafka,mongodb,minio]`"
            " and a Docker engine"
        ) from exc
    with (
        KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft() as kafka,
        MongoDbContainer("mongo:7") as mongo,
        MinioContainer() as minio,
    ):
        cfg = minio.get_config()
        yield Infra(
            kafka.get_bootstrap_server(),
            mongo.get_connection_url(),
            cfg["endpoint"],
            cfg["access_key"],
            cfg["secret_key"],
        )


PROVIDERS = {"native": native, "external": external, "testcontainers": testcontainers}


@contextmanager
def provide() -> Iterator[Infra]:
    name = os.environ.get("TEST_INFRA", "native")
    if name not in PROVIDERS:
        raise RuntimeError(f"TEST_INFRA={name!r}: choose one of {sorted(PROVIDERS)}")
    with PROVIDERS[name]() as infra:
        yield infra


def storage_profile() -> str:
    """The chassis storage profile for the wire server under test (``TEST_STORAGE_PROFILE``
    overrides): FerretDB's for the local processes, MongoDB's for a real MongoDB."""
    default = "mongodb" if os.environ.get("TEST_INFRA") == "testcontainers" else "ferretdb"
    return os.environ.get("TEST_STORAGE_PROFILE", default)
