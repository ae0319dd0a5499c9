"""Session fixtures: real infrastructure, isolation by unique names, tokens."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pymongo import AsyncMongoClient

from chassis.devtokens import mint_token
from chassis.kafka import ensure_topics
from chassis.settings import ServiceSettings

sys.path.insert(0, str(Path(__file__).parent))

from testkit.infra import Infra, provide, storage_profile

S = TypeVar("S", bound=ServiceSettings)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with provide() as endpoints:
        yield endpoints


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
async def topic_prefix(infra: Infra, run_id: str) -> str:
    """Every contract topic (and its dead-letter topic), created for this run only."""
    prefix = f"t{run_id}."
    await ensure_topics(infra.kafka_bootstrap, prefix=prefix)
    return prefix


@pytest.fixture(scope="session")
async def created_databases(infra: Infra) -> AsyncIterator[list[str]]:
    names: list[str] = []
    yield names
    client: AsyncMongoClient[Any] = AsyncMongoClient(infra.mongo_url)
    for name in names:
        await client.drop_database(name)
    await client.close()


@pytest.fixture
def make_settings(
    infra: Infra, topic_prefix: str, run_id: str, created_databases: list[str]
) -> Callable[..., Any]:
    """Settings for one service under test: its own database, this run's topics."""

    def factory(cls: type[S], **overrides: Any) -> S:
        name = cls.model_fields["service_name"].default
        db = f"test_{name}_{uuid.uuid4().hex[:10]}"
        created_databases.append(db)
        values: dict[str, Any] = {
            "environment": "test",
            "mongo_url": infra.mongo_url,
            "mongo_db": db,
            "kafka_bootstrap": infra.kafka_bootstrap,
            "topic_prefix": topic_prefix,
            "consumer_group_prefix": f"{run_id}.{uuid.uuid4().hex[:6]}.",
            "minio_endpoint": infra.minio_endpoint,
            "minio_access_key": infra.minio_access_key,
            "minio_secret_key": infra.minio_secret_key,
            "relay_idle_poll_seconds": 0.05,
            "storage_profile": storage_profile(),
        }
        values.update(overrides)
        return cls(**values)

    return factory


@pytest.fixture
def tenant() -> str:
    return f"tenant-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def token_for() -> Callable[..., str]:
    def mint(user: str, tenant: str, *roles: str, **kw: Any) -> str:
        return mint_token(user, tenant, roles=list(roles) or ["member"], **kw)

    return mint
