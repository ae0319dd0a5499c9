"""The profiles service as a real process: the demo seed runs twice, the result is searchable."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import httpx
import pytest

from chassis.devtokens import mint_token
from testkit.apps import ServiceProcess, run_services
from testkit.infra import Infra

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def service(
    infra: Infra, topic_prefix: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    env = {
        "PROFILES_ENVIRONMENT": "test",
        "PROFILES_MONGO_URL": infra.mongo_url,
        "PROFILES_MONGO_DB": f"test_e2e_seed_{run_id}_{uuid.uuid4().hex[:6]}",
        "PROFILES_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "PROFILES_TOPIC_PREFIX": topic_prefix,
        "PROFILES_CONSUMER_GROUP_PREFIX": f"{run_id}.seed.",
    }
    with run_services({"profiles": env}, tmp_path_factory.mktemp("seed-logs")) as running:
        yield running["profiles"]


def _seed(url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "profiles.seed", "--url", url],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_seed_is_idempotent_and_searchable(service: ServiceProcess) -> None:
    first = _seed(service.url)
    assert "60 members joined" in first and "make token USER_ID=" in first
    second = _seed(service.url)
    assert "0 members joined, 60 already there" in second

    headers = {"Authorization": f"Bearer {mint_token('demo-mentee-01', 'demo')}"}
    programs = httpx.get(f"{service.url}/v1/programs", headers=headers).json()["items"]
    assert [p["name"] for p in programs] == ["Women in Tech Canada"]
    pid = programs[0]["program_id"]
    mentors = httpx.get(
        f"{service.url}/v1/programs/{pid}/search",
        params={"role": "mentor", "limit": 50},
        headers=headers,
    ).json()
    assert mentors["total"] == 30
    ranked = httpx.get(
        f"{service.url}/v1/programs/{pid}/search",
        params={"q": "python machine learning", "role": "mentor"},
        headers=headers,
    ).json()
    assert ranked["results"] and ranked["results"][0]["score"] >= ranked["results"][-1]["score"]
    assert all("location" not in r["profile"] for r in ranked["results"])  # matches-only
