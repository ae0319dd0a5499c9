"""Run the example overlay's containers as local processes, the way a kubelet would.

No cluster and no Docker engine needed. Needs root (for a private mount namespace),
``kubectl`` (for kustomize) and the local stack (``python3 deploy/local/stack.py start``;
its endpoints come from ``deploy/local/stack.py``, so the same ``STACK_*`` variables select
another stack). Run it from the repository root::

    python3 -m uv run --locked python deploy/k8s/smoke_local.py

1. Renders ``deploy/k8s/overlays/example`` with ``kubectl kustomize``.
2. Installs the committed tree (``git archive HEAD``) the way the Dockerfile does: ``uv sync
   --locked --no-dev --no-install-workspace``, then ``--no-editable``, the development signing
   key deleted.
3. In a mount namespace with the root filesystem read-only, a tmpfs on ``/tmp`` and
   ``HOME=/tmp``: starts every service's init container (each must still be waiting), runs
   the topics Job's command, checks that the init containers then exit 0, starts every
   service with its container's command, args and environment (``ENVIRONMENT=production``
   and the ``mongodb`` storage profile kept; Secret values and endpoints replaced by the
   local stack's, with a temporary MinIO user for documents because production refuses the
   development key; ports shifted by 10000), checks
   ``/healthz``, ``/readyz`` and ``/metrics``, then sends SIGTERM and expects a graceful stop.
   Every Kafka client goes through the local broker's password-protected listener: the
   overlay's SASL_SSL/SCRAM-SHA-512 becomes SASL_PLAINTEXT/PLAIN (that listener has neither
   TLS nor SCRAM), its CA file is dropped, the Kafka usernames and passwords of the Secrets
   become the local credential, and an init container with a wrong password must be refused.
4. Removes its topics, databases and MinIO user. Its consumer groups stay behind, empty
   (aiokafka's admin client cannot delete groups).

Exit status 0 when every check passed.
"""

from __future__ import annotations

import asyncio
import http.client
import importlib.util
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OVERLAY = REPO / "deploy" / "k8s" / "overlays" / "example"
PORT_SHIFT = 10_000
READY_WITHIN = 120.0


def _stack_endpoints() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("stack", REPO / "deploy" / "local" / "stack.py")
    assert spec and spec.loader
    stack = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stack)
    return stack.endpoints()


STACK = _stack_endpoints()
MONGO, MINIO = STACK["mongo_url"], STACK["minio_endpoint"]
MINIO_DEV = (STACK["minio_access_key"], STACK["minio_secret_key"])
#: The local broker's listener that demands SASL PLAIN (user and password of the stack).
KAFKA = STACK["kafka_sasl_bootstrap"]
KAFKA_USER = (STACK["kafka_sasl_username"], STACK["kafka_sasl_password"])
KAFKA_LOCAL = {"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM": "PLAIN"}


# ------------------------------------------------------------------ outside the namespace


def render() -> list[dict[str, Any]]:
    import yaml

    out = subprocess.run(
        ["kubectl", "kustomize", str(OVERLAY)], capture_output=True, text=True, check=True
    )
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def install(app: Path) -> None:
    """The Dockerfile's two ``uv sync`` steps, on the committed tree, into ``app/.venv``."""
    src = app.parent / "src"
    src.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPO, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(src, filter="data")
    env = {
        **os.environ,
        "UV_COMPILE_BYTECODE": "1",
        "UV_LINK_MODE": "copy",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON": str(Path(sys.base_prefix) / "bin" / "python3.11"),
        "UV_PROJECT_ENVIRONMENT": str(app / ".venv"),
    }
    env.pop("VIRTUAL_ENV", None)
    uv = [sys.executable, "-m", "uv"] if shutil.which("uv") is None else ["uv"]
    for extra in (["--no-install-workspace"], ["--no-editable"]):
        cmd = [*uv, "sync", "--locked", "--no-dev", "--quiet", *extra]
        subprocess.run(cmd, cwd=src, env=env, check=True)
    for key in app.glob(".venv/lib/python3.11/site-packages/chassis/dev_keys/private.pem"):
        key.unlink()
    shutil.copy(src / "deploy" / "k8s" / "wait_for_topics.py", app / "wait_for_topics.py")


def plan(docs: list[dict[str, Any]], app: Path, run: str, minio_key: tuple[str, str]) -> dict:
    """Each container's argv and environment, as a kubelet would give them, made local."""
    configs = {d["metadata"]["name"]: d["data"] for d in docs if d["kind"] == "ConfigMap"}
    local = {
        **KAFKA_LOCAL,
        "KAFKA_BOOTSTRAP": KAFKA,
        "TOPIC_PREFIX": f"{run}.",
        "CONSUMER_GROUP_PREFIX": f"{run}.",
        "MINIO_ENDPOINT": MINIO,
        "MINIO_SECURE": "false",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "",  # no collector here
        "AUTH_JWKS_URL": "http://127.0.0.1:9/jwks.json",  # never fetched: no token is sent
    }
    secrets = {
        "mongo-url": MONGO,
        "minio-access-key": minio_key[0],
        "minio-secret-key": minio_key[1],
        "link-secret": "local-smoke-link-secret",
        "kafka-username": KAFKA_USER[0],
        "kafka-password": KAFKA_USER[1],
    }
    # The overlay's CA file is on the Secret volume kafka-ca; the local listener has no TLS.
    dropped = {"KAFKA_SSL_CAFILE"}

    def container(c: dict[str, Any], service: str | None = None) -> dict[str, Any]:
        env = {
            "PATH": f"{app}/.venv/bin:/usr/bin:/bin",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "HOME": "/tmp",
        }
        for source in c.get("envFrom", []):
            data = configs[source["configMapRef"]["name"]]
            env |= {
                source.get("prefix", "") + k: local.get(k, v)
                for k, v in data.items()
                if k not in dropped
            }
        for entry in c.get("env", []):
            source = entry.get("valueFrom", {})
            if "value" in entry:
                env[entry["name"]] = entry["value"]
            elif "secretKeyRef" in source:
                env[entry["name"]] = secrets[source["secretKeyRef"]["key"]]
            elif "configMapKeyRef" in source:
                ref = source["configMapKeyRef"]
                data = configs[ref["name"]]
                if ref["key"] in dropped or (ref.get("optional") and ref["key"] not in data):
                    continue
                env[entry["name"]] = local.get(ref["key"], data[ref["key"]])
            elif "resourceFieldRef" in source:
                env[entry["name"]] = "2"
        argv = [a.replace("/app/", f"{app}/") for a in c["command"] + c.get("args", [])]
        port = None
        if service:
            prefix = service.upper() + "_"
            port = c["ports"][0]["containerPort"] + PORT_SHIFT
            argv = [f"--port={port}" if a.startswith("--port=") else a for a in argv]
            env[prefix + "HTTP_PORT"] = str(port)
            env[prefix + "MONGO_DB"] = f"{run}_{service}"
        return {"argv": argv, "env": env, "port": port}

    pods = {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]
        for d in docs
        if "template" in d.get("spec", {})
    }
    (job,) = pods.pop("mentorship-topics")["containers"]
    job_plan = container(job)
    job_plan["env"]["TOPIC_REPLICATION_FACTOR"] = "1"  # one local broker
    for step in (job_plan, *(container(spec["initContainers"][0]) for spec in pods.values())):
        # what the overlay sets, but for the two values the local listener needs
        assert {k: step["env"].get(k) for k in KAFKA_LOCAL} == KAFKA_LOCAL, step["argv"]
        assert step["env"]["KAFKA_SASL_PASSWORD"] == KAFKA_USER[1], step["argv"]
    refused = container(next(iter(pods.values()))["initContainers"][0])
    refused["env"]["KAFKA_SASL_PASSWORD"] = "not-the-password"
    refused["argv"] = [*refused["argv"], "--timeout", "3", "--interval", "1"]
    return {
        "app": str(app),
        "job": job_plan,
        "refused": refused,
        "services": {
            name: {
                "init": container(spec["initContainers"][0]),
                "main": container(spec["containers"][0], name),
            }
            for name, spec in pods.items()
        },
    }


def minio_user(run: str) -> tuple[str, str]:
    from minio.credentials import StaticProvider
    from minio.minioadmin import MinioAdmin

    admin = MinioAdmin(endpoint=MINIO, credentials=StaticProvider(*MINIO_DEV), secure=False)
    key = (run, uuid.uuid4().hex)
    admin.user_add(*key)
    admin.attach_policy(["readwrite"], user=run)
    return key


def clean_up(run: str) -> None:
    from aiokafka.admin import AIOKafkaAdminClient
    from minio.credentials import StaticProvider
    from minio.minioadmin import MinioAdmin
    from pymongo import MongoClient

    from chassis.kafka import client_options, kafka_security

    client: MongoClient[Any] = MongoClient(MONGO)
    for name in client.list_database_names():
        if name.startswith(f"{run}_"):
            client.drop_database(name)
    client.close()

    async def topics() -> None:
        auth = kafka_security(
            "SASL_PLAINTEXT", mechanism="PLAIN", username=KAFKA_USER[0], password=KAFKA_USER[1]
        )
        admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA, **client_options(auth))
        await admin.start()
        try:
            mine = [t for t in await admin.list_topics() if t.startswith(f"{run}.")]
            if mine:
                await admin.delete_topics(mine)
        finally:
            await admin.close()

    asyncio.run(topics())
    admin = MinioAdmin(endpoint=MINIO, credentials=StaticProvider(*MINIO_DEV), secure=False)
    try:
        admin.user_remove(run)
    except Exception as exc:  # the user may not exist if the run stopped early
        print(f"(MinIO user {run} not removed: {exc})")


def main() -> int:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("kubectl") is None:
        print("needs root, unshare and kubectl", file=sys.stderr)
        return 2
    run = f"k8ssmoke{uuid.uuid4().hex[:6]}"
    docs = render()
    with tempfile.TemporaryDirectory(prefix="k8s-smoke-", dir="/var/tmp") as tmp:
        app = Path(tmp) / "app"
        app.mkdir()
        print("installing the workspace as the Dockerfile does ...", flush=True)
        install(app)
        try:
            steps = plan(docs, app, run, minio_user(run))
            (Path(tmp) / "plan.json").write_text(json.dumps(steps))
            inner = (
                "mount -o remount,bind,ro / && mount -t tmpfs -o size=64m tmpfs /tmp && "
                f"exec {sys.executable} {Path(__file__).resolve()} --inside {tmp}/plan.json"
            )
            code = subprocess.run(
                ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner]
            ).returncode
        finally:
            clean_up(run)
    print("PASSED" if code == 0 else "FAILED")
    return code


# ------------------------------------------------------------------ inside the namespace


def get(port: int, path: str) -> int | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def inside(plan_file: str) -> int:
    steps = json.loads(Path(plan_file).read_text())
    failures: list[str] = []

    def check(ok: bool, what: str) -> None:
        print(("ok    " if ok else "FAIL  ") + what, flush=True)
        if not ok:
            failures.append(what)

    for probe in (Path(steps["app"]) / "probe", Path(plan_file).with_name("probe")):
        try:
            probe.write_text("x")
            check(False, f"{probe.parent} is read-only")
        except OSError:
            check(True, f"{probe.parent} is read-only")

    def spawn(step: dict[str, Any], log: str | None = None) -> subprocess.Popen[str]:
        out = open(log, "w") if log else subprocess.PIPE
        return subprocess.Popen(
            step["argv"],
            env=step["env"],
            cwd=steps["app"],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )

    refused = subprocess.run(
        steps["refused"]["argv"],
        env=steps["refused"]["env"],
        cwd=steps["app"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = refused.stdout + refused.stderr
    check(
        refused.returncode == 1 and "SaslAuthenticationFailed" in output,
        "an init container with a wrong Kafka password is refused by the broker",
    )
    services = steps["services"]
    inits = {name: spawn(s["init"]) for name, s in services.items()}
    time.sleep(6)
    check(all(p.poll() is None for p in inits.values()), "init containers wait for the topics")
    job = subprocess.run(
        steps["job"]["argv"],
        env=steps["job"]["env"],
        cwd=steps["app"],
        capture_output=True,
        text=True,
    )
    check(job.returncode == 0, f"topics Job: {(job.stdout or job.stderr).strip()[:60]}")
    for name, proc in inits.items():
        proc.communicate(timeout=60)
        check(proc.returncode == 0, f"{name}: init container exits 0 once the topics exist")

    procs = {
        name: (spawn(s["main"], f"/tmp/{name}.log"), s["main"]["port"])
        for name, s in services.items()
    }
    start = time.monotonic()
    for name, (proc, port) in procs.items():
        while proc.poll() is None and get(port, "/readyz") != 200:
            if time.monotonic() - start > READY_WITHIN:
                break
            time.sleep(0.25)
        statuses = {path: get(port, path) for path in ("/healthz", "/readyz", "/metrics")}
        check(set(statuses.values()) == {200}, f"{name}: {statuses}")
    for name, (proc, _) in procs.items():
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            proc.kill()
        log = Path(f"/tmp/{name}.log").read_text()
        check("Application shutdown complete" in log, f"{name}: graceful stop on SIGTERM")
        bad = [
            line
            for line in log.splitlines()
            if '"level": "ERROR"' in line or "Read-only file system" in line or "Traceback" in line
        ]
        check(not bad, f"{name}: no error in its log" + (f": {bad[0][:200]}" if bad else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inside":
        sys.exit(inside(sys.argv[2]))
    sys.exit(main())
