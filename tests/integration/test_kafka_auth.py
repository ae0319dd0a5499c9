"""Kafka that demands credentials: the chassis authenticates every client it makes.

The local broker has a second listener that only takes SASL PLAIN with the development
credential; an enterprise's Kafka (SASL_SSL with SCRAM, usually) goes through the same
settings (``<SERVICE>_KAFKA_SECURITY_PROTOCOL``, ``_KAFKA_SASL_*``, ``_KAFKA_SSL_CAFILE``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError
from pydantic import ValidationError

from chassis.app import build_runtime
from chassis.kafka import ensure_topics, kafka_security
from chassis.settings import ServiceSettings
from mentorship_contracts.envelope import CloudEvent
from mentorship_contracts.topics import topic
from testkit.events import eventually, profile_event
from testkit.infra import Infra

pytestmark = pytest.mark.infra


class SecuredSettings(ServiceSettings):
    service_name: str = "secured"


def _sasl(infra: Infra) -> tuple[str, str, str]:
    if infra.kafka_sasl is None:
        pytest.fail("this infrastructure provider has no SASL listener (see testkit/infra.py)")
    return infra.kafka_sasl


async def test_a_service_publishes_and_consumes_through_an_authenticated_listener(
    infra: Infra, make_settings: Callable[..., SecuredSettings]
) -> None:
    bootstrap, user, password = _sasl(infra)
    prefix = f"sasl{uuid.uuid4().hex[:6]}."
    security = kafka_security("SASL_PLAINTEXT", mechanism="PLAIN", username=user, password=password)
    created = await ensure_topics(
        bootstrap, prefix=prefix, topics=(topic("profile-changed"),), security=security
    )
    assert created == [f"{prefix}profile-changed"]
    settings = make_settings(
        SecuredSettings,
        kafka_bootstrap=bootstrap,
        topic_prefix=prefix,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username=user,
        kafka_sasl_password=password,
    )
    rt = build_runtime(settings)
    seen: list[str] = []

    @rt.consumers.subscribe("profile-changed", name="seen")
    async def on_profile_changed(event: CloudEvent) -> None:
        seen.append(event.id)

    tenant = f"t-{uuid.uuid4().hex[:6]}"
    await rt.events.ensure_indexes()
    await rt.broker.start()
    relay = asyncio.create_task(rt.relay.run())
    try:
        stored = await rt.events.append(
            "m-1", 0, [profile_event(tenant, "m-1", 1)], tenant_id=tenant
        )
        await eventually(lambda: _has(seen, stored[0].id), timeout=60)
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
        await rt.broker.stop()
        await rt.mongo.close()


async def _has(seen: list[str], event_id: str) -> bool:
    return event_id in seen


async def test_a_wrong_password_is_refused(infra: Infra, caplog: pytest.LogCaptureFixture) -> None:
    bootstrap, user, _ = _sasl(infra)
    wrong = kafka_security("SASL_PLAINTEXT", mechanism="PLAIN", username=user, password="nope")
    with pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(
            ensure_topics(bootstrap, prefix="never.", topics=(), security=wrong), timeout=60
        )
    assert "SaslAuthenticationFailed" in caplog.text  # refused by the broker, not unreachable


def test_sasl_without_credentials_is_a_configuration_error() -> None:
    with pytest.raises(ValidationError, match="needs \\*_KAFKA_SASL_USERNAME"):
        SecuredSettings(kafka_security_protocol="SASL_SSL")
    options: dict[str, Any] = {"kafka_security_protocol": "SSL"}
    assert SecuredSettings(**options).kafka_security_protocol == "SSL"  # SSL alone is fine
