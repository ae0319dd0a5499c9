"""Web app budgets: JavaScript shipped for the first screen (gzipped) and the first load of
the member home with a cold cache, p95, against the real stack.

* ``first-screen JS``: the scripts the browser fetched to render the member home (read off
  the first timed load), gzipped at level 9 as the edge serves them; budget 300 KB.
* ``member home first load``: p50/p95 over RUNS fresh browser contexts (empty HTTP cache,
  the issuer's session cookie kept: a returning member), from navigation to the home's
  mentorships card rendered, including the silent token renewal and the API calls through
  the edge; budget p95 < 1 s. Baseline in the same run: a fresh context loading the
  edge's ``/config.json`` (browser context + one request through nginx), reported as the
  ratio home / baseline.

Starts profiles and matching (own databases and topics), the dev issuer and the edge
(nginx) like the browser tests do; needs the local stack (``stack.py start``), nginx,
Chromium and a built ``web/dist`` (``npm run build`` in web/).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from chassis.devtokens import mint_token
from chassis.kafka import ensure_topics
from testkit.apps import free_port, run_services
from testkit.infra import REPO, provide, storage_profile

sys.path.insert(0, str(REPO / "deploy" / "local"))
import edge

DIST = REPO / "web" / "dist"
PROFILE = {"skills": ["python"], "languages": ["en"]}
RUNS = int(os.environ.get("BENCH_WEB_RUNS", "15"))
JS_BUDGET = 300 * 1024
P95_BUDGET_MS = 1000.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _seed(url: str, tenant: str) -> str:
    """A program, an approved mentor and a mentee with a mentorship; the home's path."""

    def auth(user: str, *roles: str) -> dict[str, str]:
        token = mint_token(user, tenant, roles=list(roles) or ["member"])
        return {"Authorization": f"Bearer {token}"}

    with httpx.Client(base_url=url, timeout=30) as http:
        program = http.post(
            "/api/profiles/v1/programs",
            json={"name": "Bench", "requires_mentor_approval": False},
            headers=auth("admin", "org_admin"),
        ).json()
        pid = program["program_id"]
        for user in ("mentor", "mentee"):
            r = http.post(
                f"/api/profiles/v1/programs/{pid}/members",
                json={"roles": [user], "display_name": user.title(), **PROFILE},
                headers=auth(user),
            )
            r.raise_for_status()
        me = http.get(f"/api/profiles/v1/programs/{pid}/members/me", headers=auth("mentor"))
        mentor_id = me.json()["member_id"]
        deadline = time.monotonic() + 60
        while True:  # matching learns of the mentor from profiles' events
            r = http.post(
                f"/api/matching/v1/programs/{pid}/requests",
                json={"mentor_id": mentor_id, "message": "Hello"},
                headers=auth("mentee"),
            )
            if r.status_code == 201 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        r.raise_for_status()
        accept = f"/api/matching/v1/requests/{r.json()['request_id']}/accept"
        http.post(accept, headers=auth("mentor")).raise_for_status()
    return f"/p/{pid}"


def _first_screen_js(paths: list[str]) -> int:
    return sum(len(gzip.compress((DIST / p.lstrip("/")).read_bytes(), 9)) for p in paths)


def run() -> list[dict[str, Any]]:
    if not (DIST / "index.html").exists():
        subprocess.run(["npm", "run", "build"], cwd=REPO / "web", check=True)
    run_id = uuid.uuid4().hex[:8]
    tenant = f"bench{run_id}"
    with provide() as infra, tempfile.TemporaryDirectory() as tmp:
        logs = Path(tmp)
        prefix = f"t{run_id}."
        asyncio.run(ensure_topics(infra.kafka_bootstrap, prefix=prefix))
        envs = {}
        for name in ("profiles", "matching"):
            p = name.upper()
            envs[name] = {
                f"{p}_ENVIRONMENT": "test",
                f"{p}_MONGO_URL": infra.mongo_url,
                f"{p}_MONGO_DB": f"bench_web_{run_id}_{name}",
                f"{p}_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
                f"{p}_TOPIC_PREFIX": prefix,
                f"{p}_CONSUMER_GROUP_PREFIX": f"{run_id}.",
                f"{p}_STORAGE_PROFILE": storage_profile(),
            }
        users = logs / "users.json"
        users.write_text(json.dumps([{"user_id": "mentee", "tenant_id": tenant, "name": "Mentee"}]))
        issuer_port, edge_port = free_port(), free_port()
        issuer = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "chassis.devissuer:app", "--port", str(issuer_port)],
            env={**os.environ, "DEV_ISSUER_USERS_FILE": str(users)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        proxy = None
        try:
            with run_services(envs, logs, ready_timeout=300) as running:
                conf = edge.write(
                    edge_port,
                    {n: s.url for n, s in running.items()},
                    state_dir=logs,
                    issuer=f"http://127.0.0.1:{issuer_port}",
                )
                proxy = subprocess.Popen(edge.command(conf, logs))
                url = f"http://127.0.0.1:{edge_port}"
                time.sleep(1.0)
                home = _seed(url, tenant)
                out = subprocess.run(
                    ["node", str(Path(__file__).with_name("web_first_load.mjs"))],
                    env={**os.environ, "EDGE_URL": url, "USER_ID": "mentee"}
                    | {"HOME_PATH": home, "RUNS": str(RUNS)},
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
        finally:
            for proc in (proxy, issuer):
                if proc is not None:
                    proc.terminate()
                    proc.wait(timeout=15)
    result = json.loads(out.strip().splitlines()[-1])
    home_ms, base_ms = result["home_ms"], result["baseline_ms"]
    js = _first_screen_js(result["first_screen_js"])
    return [
        {
            "measure": "first-screen JS (gzip)",
            "value": f"{js / 1024:.1f} KB",
            "budget": "300 KB",
            "ratio": round(js / JS_BUDGET, 3),
            "ok": js < JS_BUDGET,
        },
        {
            "measure": f"member home first load, cold cache (n={len(home_ms)})",
            "value": f"p50 {statistics.median(home_ms):.0f} ms, p95 {_p95(home_ms):.0f} ms",
            "budget": "p95 < 1000 ms",
            "ratio": round(_p95(home_ms) / P95_BUDGET_MS, 3),
            "ok": _p95(home_ms) < P95_BUDGET_MS,
        },
        {
            "measure": "baseline: fresh context + /config.json through the edge",
            "value": f"p50 {statistics.median(base_ms):.0f} ms, p95 {_p95(base_ms):.0f} ms",
            "budget": "",
            "ratio": round(_p95(home_ms) / max(_p95(base_ms), 1), 2),
            "ok": "",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
