"""All five services start as real processes against the real infrastructure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chassis.devtokens import mint_token
from mentorship_contracts.topics import ALL_TOPICS
from testkit.apps import ServiceProcess, run_services
from testkit.infra import Infra, storage_profile

SERVICES = [
    "profiles",
    "matching",
    "messaging",
    "documents",
    "scheduling",
    "insights",
    "knowledge",
]
#: what each service subscribes to (its entrypoints/consumers.py), written out by hand
CONSUMES: dict[str, set[str]] = {
    "profiles": {"match-made", "mentorship-ended"},
    "matching": {
        "profile-changed",
        "program-changed",
        "mentor-application-submitted",
        "mentor-application-decided",
        "message-sent",
    },
    "messaging": {
        "match-made",
        "mentorship-ended",
        "program-changed",
        "profile-changed",
        "document-shared",
        "knowledge-entry-withdrawn",
    },
    "documents": {"match-made", "mentorship-ended", "profile-changed", "message-sent"},
    "scheduling": {"match-made", "mentorship-ended", "profile-changed"},
    "knowledge": {
        "profile-changed",
        "mentor-paused",
        "program-changed",
        "exchange-consented",
        "exchange-withdrawn",
    },
    "insights": {
        "program-changed",
        "profile-changed",
        "mentor-paused",
        "mentor-application-submitted",
        "mentor-application-decided",
        "mentorship-requested",
        "mentorship-responded",
        "match-made",
        "mentorship-ended",
        "message-sent",
        "meeting-booked",
        "meeting-cancelled",
        "document-shared",
        "check-in-answered",
        "goal-updated",
    },
}


def produced_by(service: str) -> set[str]:
    """The topics the registry says ``service`` publishes."""
    return {spec.name for spec in ALL_TOPICS if spec.producer == service}


@pytest.fixture(scope="module")
def services(
    infra: Infra, topic_prefix: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ServiceProcess]]:
    envs = {}
    for name in SERVICES:
        p = name.upper()
        envs[name] = {
            f"{p}_ENVIRONMENT": "test",
            f"{p}_MONGO_URL": infra.mongo_url,
            f"{p}_MONGO_DB": f"test_e2e_{run_id}_{name}",
            f"{p}_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
            f"{p}_TOPIC_PREFIX": topic_prefix,
            f"{p}_CONSUMER_GROUP_PREFIX": f"{run_id}.e2e.",
            f"{p}_STORAGE_PROFILE": storage_profile(),
        }
        if name == "documents":  # the one service with object storage
            envs[name] |= {
                f"{p}_MINIO_ENDPOINT": infra.minio_endpoint,
                f"{p}_MINIO_ACCESS_KEY": infra.minio_access_key,
                f"{p}_MINIO_SECRET_KEY": infra.minio_secret_key,
            }
    with run_services(envs, tmp_path_factory.mktemp("logs")) as running:
        yield running


@pytest.mark.e2e
@pytest.mark.parametrize("name", SERVICES)
def test_service_is_ready_and_documents_itself(
    services: dict[str, ServiceProcess], name: str
) -> None:
    url = services[name].url
    ready = httpx.get(f"{url}/readyz", timeout=10)
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert checks["mongodb"] == "ok" and checks["kafka"] == "ok"
    if name == "documents":
        assert checks["object_storage"] == "ok"
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    openapi = httpx.get(f"{url}/openapi.json").json()
    assert openapi["info"]["title"].lower().startswith(name)
    assert httpx.get(f"{url}/docs").status_code == 200
    assert "http_requests_total" in httpx.get(f"{url}/metrics").text
    asyncapi = httpx.get(f"{url}/asyncapi.json").json()
    # exactly what the service publishes and what it consumes, nothing of the others'
    assert set(asyncapi["channels"]) == produced_by(name) | CONSUMES[name]
    operations = [
        (op["action"], op["channel"]["$ref"].rsplit("/", 1)[1])
        for op in asyncapi["operations"].values()
    ]
    assert {c for action, c in operations if action == "send"} == produced_by(name)
    assert {c for action, c in operations if action == "receive"} == CONSUMES[name]


@pytest.mark.e2e
def test_protected_endpoint_needs_a_token(services: dict[str, ServiceProcess]) -> None:
    url = services["profiles"].url
    assert httpx.get(f"{url}/v1/me").status_code == 401
    token = mint_token("grace", "acme", roles=["member"])
    me = httpx.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["user_id"] == "grace"


@pytest.mark.e2e
def test_log_files_are_json_with_service_name(services: dict[str, ServiceProcess]) -> None:
    import json

    lines = Path(services["matching"].log_path).read_text().splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert entries and all(e["service"] == "matching" for e in entries)
