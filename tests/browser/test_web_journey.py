"""The web app's whole journey in headless Chromium against the real stack.

Starts the services as real processes (their own databases, this run's topics), the
development OIDC issuer with this test's users, and the edge (nginx) serving the freshly
built app on one origin; then runs ``journey.mjs`` with node (playwright-core driving
Debian's Chromium). Screenshots of every screen and ``report.json`` (axe-core results,
step timings) are kept in ``tests/browser/artifacts/``. Fails, never skips, when Chromium,
nginx or npm is missing: ``python3 deploy/local/stack.py install`` installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import require

from testkit.apps import free_port, run_services
from testkit.infra import REPO, Infra, storage_profile

sys.path.insert(0, str(REPO / "deploy" / "local"))
import edge

# Services start, then about 20 screens each checked by axe-core: minutes on a busy machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

HERE = Path(__file__).parent
ARTIFACTS = HERE / "artifacts"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SERVICES = ("profiles", "matching", "messaging", "documents", "scheduling", "insights")
JOURNEY_TIMEOUT = 900  # seconds; about 10 min seen on this shared machine at load 26


def _users(tenant: str) -> list[dict[str, object]]:
    people = {
        "admin": ("Avery Admin", ["org_admin", "member"]),
        "amelie": ("Amélie Gagnon", ["member"]),
        "noor": ("Noor Haddad", ["member"]),
        "csv1": ("Camille Roy", ["member"]),
        "ada": ("Ada Tremblay", ["member"]),
        "grace": ("Grace Okafor", ["member"]),
    }
    return [
        {"user_id": f"{key}-{tenant}", "tenant_id": tenant, "roles": roles, "name": name}
        for key, (name, roles) in people.items()
    ]


@pytest.fixture(scope="module")
def stack(
    infra: Infra,
    topic_prefix: str,
    run_id: str,
    web_build: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, str]]:
    """(edge URL, tenant): services, dev issuer and nginx running for this module."""
    nginx = require(edge.nginx_binary(), "nginx")
    tenant = f"web{uuid.uuid4().hex[:8]}"
    logs = tmp_path_factory.mktemp("browser-logs")
    envs = {}
    for name in SERVICES:
        p = name.upper()
        envs[name] = {
            f"{p}_ENVIRONMENT": "test",
            f"{p}_MONGO_URL": infra.mongo_url,
            f"{p}_MONGO_DB": f"test_web_{run_id}_{uuid.uuid4().hex[:6]}_{name}",
            f"{p}_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
            f"{p}_TOPIC_PREFIX": topic_prefix,
            f"{p}_CONSUMER_GROUP_PREFIX": f"{run_id}.web{uuid.uuid4().hex[:4]}.",
            f"{p}_STORAGE_PROFILE": storage_profile(),
        }
    envs["profiles"]["PROFILES_PROJECTOR_POLL_SECONDS"] = "0.5"
    envs["documents"] |= {
        "DOCUMENTS_MINIO_ENDPOINT": infra.minio_endpoint,
        "DOCUMENTS_MINIO_ACCESS_KEY": infra.minio_access_key,
        "DOCUMENTS_MINIO_SECRET_KEY": infra.minio_secret_key,
        "DOCUMENTS_BUCKET": f"test-web-{run_id}",
        "DOCUMENTS_MEDIA_POLL_SECONDS": "1",
    }
    users = logs / "users.json"
    users.write_text(json.dumps(_users(tenant)))
    issuer_port, edge_port = free_port(), free_port()
    issuer_cmd = ["uvicorn", "chassis.devissuer:app", "--host", "127.0.0.1", "--proxy-headers"]
    issuer = subprocess.Popen(
        [sys.executable, "-m", *issuer_cmd, "--port", str(issuer_port)],
        env={**os.environ, "DEV_ISSUER_USERS_FILE": str(users), "DEV_ISSUER_ENVIRONMENT": "test"},
        stdout=(logs / "issuer.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    proxy: subprocess.Popen[bytes] | None = None
    try:
        # Four services importing at once on a busy 2-core machine can take minutes.
        with run_services(envs, logs, ready_timeout=300) as running:
            conf = edge.write(
                edge_port,
                {name: svc.url for name, svc in running.items()},
                state_dir=logs,
                issuer=f"http://127.0.0.1:{issuer_port}",
                dist=web_build,
            )
            assert Path(nginx).exists()
            edge.check(conf, logs)
            proxy = subprocess.Popen(
                edge.command(conf, logs),
                stdout=(logs / "edge.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            url = f"http://127.0.0.1:{edge_port}"
            _wait_answers(f"{url}/mentorship-dev-issuer/healthz", [issuer, proxy], logs)
            _wait_answers(f"{url}/api/matching/readyz", [proxy], logs)
            yield url, tenant
    finally:
        for proc in (proxy, issuer):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=15)


def _wait_answers(url: str, procs: list[subprocess.Popen[bytes]], logs: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited; logs in {logs}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer; logs in {logs}")
        time.sleep(0.2)


def test_the_journey_runs_in_a_real_browser(stack: tuple[str, str]) -> None:
    chromium = require(CHROMIUM, "Chromium (Debian package chromium)")
    node = require(shutil.which("node"), "node")
    url, tenant = stack
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    proc = subprocess.run(
        [node, str(HERE / "journey.mjs")],
        env={**os.environ, "EDGE_URL": url, "TENANT": tenant, "ARTIFACTS": str(ARTIFACTS)}
        | {"CHROMIUM": chromium},
        capture_output=True,
        text=True,
        timeout=JOURNEY_TIMEOUT,
    )
    print(proc.stdout)
    assert proc.returncode == 0, (
        f"journey failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    )
    report = json.loads((ARTIFACTS / "report.json").read_text())
    assert report["violations"] == []
    assert len(report["screens"]) >= 15
    assert any(s["name"].startswith("fr-") for s in report["screens"])
