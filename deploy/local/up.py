#!/usr/bin/env python3
"""``make up``: start the local infrastructure and all five services in the foreground.

Steps: start Kafka/FerretDB/MinIO (``stack.py``), build the web app (``web/``: ``npm ci``
when its lock changed, ``npm run build``), create the Kafka topics (``chassis.topics_cli``),
start each service with uvicorn, wait for ``/readyz``, run the seed (``profiles.seed``),
start the development OIDC issuer and the edge (nginx: the app and every API on one
origin, ``edge.py``), print the URLs ending with the one address to open, then stream every
process's output with a coloured ``name |`` prefix (also written to
``.local-stack/logs/<name>.log``).

Ctrl-C or SIGTERM stops the services, then the infrastructure, and exits 0.
Standard library only.
"""

import argparse
import dataclasses
import http.client
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

# stack.py sits next to this file; this file runs as a script, not from a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import edge
import stack

REPO_ROOT = stack.REPO_ROOT
VENV_BIN = REPO_ROOT / ".venv" / "bin"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
COLORS = ("36", "32", "35", "33", "34", "96", "92")  # ANSI foreground codes
WEB_DIR = REPO_ROOT / "web"
#: The edge (one origin for the app and the APIs) and the development OIDC issuer behind it.
EDGE_PORT = int(os.environ.get("EDGE_PORT", "8080"))
DEV_ISSUER_PORT = int(os.environ.get("DEV_ISSUER_PORT", "8009"))


@dataclasses.dataclass(frozen=True)
class Service:
    """One service process: its package name and HTTP port."""

    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


SERVICES = [
    Service("profiles", 8001),
    Service("matching", 8002),
    Service("messaging", 8003),
    Service("documents", 8004),
    Service("scheduling", 8005),
    Service("insights", 8006),
    Service("knowledge", 8007),
]


#: The services that keep objects in S3-compatible storage (``ObjectStorageSettings``).
OBJECT_STORAGE = {"documents"}


def service_env(name: str, port: int, endpoints: dict[str, str]) -> dict[str, str]:
    """The environment variables that point one service at the local stack.

    The local MongoDB wire server is FerretDB, so every service runs the chassis storage
    profile ``ferretdb`` (production's default is ``mongodb``); only the services with
    object storage get the MinIO settings.
    """
    prefix = name.upper()
    env = {
        f"{prefix}_MONGO_URL": endpoints["mongo_url"],
        f"{prefix}_STORAGE_PROFILE": "ferretdb",
        f"{prefix}_KAFKA_BOOTSTRAP": endpoints["kafka_bootstrap"],
        f"{prefix}_HTTP_PORT": str(port),
    }
    if name == "messaging":  # digests go to the stack's SMTP capture server
        env |= {
            "MESSAGING_SMTP_HOST": endpoints["smtp_host"],
            "MESSAGING_SMTP_PORT": endpoints["smtp_port"],
            "MESSAGING_PUBLIC_URL": f"http://127.0.0.1:{EDGE_PORT}",
        }
    if name in OBJECT_STORAGE:
        env |= {
            f"{prefix}_MINIO_ENDPOINT": endpoints["minio_endpoint"],
            f"{prefix}_MINIO_ACCESS_KEY": endpoints["minio_access_key"],
            f"{prefix}_MINIO_SECRET_KEY": endpoints["minio_secret_key"],
        }
    return env


class Shutdown(Exception):
    """Raised in the main thread by SIGTERM (SIGINT raises KeyboardInterrupt)."""


class Output:
    """Writes prefixed lines to the terminal, one writer at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        self._width = max(len(s.name) for s in SERVICES)

    def prefix(self, name: str, index: int) -> str:
        label = f"{name:<{self._width}} |"
        if self._color:
            return f"\033[{COLORS[index % len(COLORS)]}m{label}\033[0m "
        return label + " "

    def line(self, text: str) -> None:
        with self._lock:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            sys.stdout.flush()

    def note(self, text: str) -> None:
        self.line(f"{'up':<{self._width}} | {text}")


OUT = Output()
CHILDREN: list[subprocess.Popen[str]] = []  # everything spawned, stopped on exit
PUMPS: dict[int, threading.Thread] = {}  # by child pid


def _pump(stream: IO[str], prefix: str, log_path: Path) -> None:
    """Copy a child's output to the terminal (prefixed) and to its log file."""
    with log_path.open("a") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} started by up.py ===\n")
        for line in stream:
            log.write(line)
            log.flush()
            OUT.line(prefix + line)


def _spawn(
    name: str, index: int, cmd: list[str], env: dict[str, str], cwd: Path = REPO_ROOT
) -> subprocess.Popen[str]:
    """Start a child in its own process group with its output pumped by a thread."""
    logs_dir = stack.settings().logs_dir
    logs_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,  # Ctrl-C reaches us only; we stop children in order
    )
    CHILDREN.append(proc)
    assert proc.stdout is not None
    pump = threading.Thread(
        target=_pump,
        args=(proc.stdout, OUT.prefix(name, index), logs_dir / f"{name}.log"),
        name=f"pump-{name}",
        daemon=True,
    )
    pump.start()
    PUMPS[proc.pid] = pump
    return proc


def _modules_present(names: list[str]) -> set[str]:
    """Which of the dotted module names the venv's Python can import."""
    code = (
        "import importlib.util, sys\n"
        "for n in sys.argv[1:]:\n"
        "    try:\n"
        "        found = importlib.util.find_spec(n) is not None\n"
        "    except ModuleNotFoundError:\n"
        "        found = False\n"
        "    if found:\n"
        "        print(n)\n"
    )
    out = subprocess.run(
        [str(VENV_BIN / "python"), "-c", code, *names],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=True,
    ).stdout
    return set(out.split())


def _run_step(name: str, module: str, env: dict[str, str]) -> None:
    """Run ``python -m module`` to completion with prefixed output; raise if it fails."""
    proc = _spawn(name, len(SERVICES), [str(VENV_BIN / "python"), "-m", *module.split()], env)
    code = proc.wait()
    PUMPS[proc.pid].join(timeout=5)
    if code != 0:
        raise RuntimeError(f"`python -m {module}` failed with exit code {code}")


def build_web(name: str = "web") -> None:
    """``npm ci`` when ``web/package-lock.json`` is newer than the installed packages, then
    ``npm run build`` (API types from the services' code, type check, Vite bundle)."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed (Node.js 20+ with npm is needed for web/)")
    env = {"PYTHON": str(VENV_BIN / "python")}
    installed = WEB_DIR / "node_modules" / ".package-lock.json"
    lock = WEB_DIR / "package-lock.json"
    steps = [["run", "build"]]
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        steps.insert(0, ["ci", "--no-audit", "--no-fund"])
    for args in steps:
        proc = _spawn(name, len(SERVICES) + 1, [npm, *args], env, cwd=WEB_DIR)
        code = proc.wait()
        PUMPS[proc.pid].join(timeout=5)
        if code != 0:
            raise RuntimeError(f"`npm {' '.join(args)}` in web/ failed with exit code {code}")


def _start_edge(services: list[Service], endpoints: dict[str, str]) -> None:
    """The development issuer (with the demo users) and nginx in front of everything."""
    state_dir = stack.settings().state_dir
    users = state_dir / "dev-issuer-users.json"
    _run_step("issuer", f"profiles.seed --dev-users {users}", {})
    issuer = _spawn(
        "issuer",
        len(SERVICES) + 2,
        [
            str(VENV_BIN / "uvicorn"),
            "chassis.devissuer:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(DEV_ISSUER_PORT),
            "--proxy-headers",
            "--no-access-log",
        ],
        {"DEV_ISSUER_USERS_FILE": str(users)},
    )
    conf = edge.write(
        EDGE_PORT,
        {s.name: s.url for s in services},
        state_dir=state_dir,
        issuer=f"http://127.0.0.1:{DEV_ISSUER_PORT}",
    )
    edge.check(conf, state_dir)
    proxy = _spawn("edge", len(SERVICES) + 3, edge.command(conf, state_dir), {})
    deadline = time.monotonic() + READY_TIMEOUT
    while not (stack.http_ok(EDGE_PORT, "/") and stack.port_open(DEV_ISSUER_PORT)):
        for proc, what in ((issuer, "the dev issuer"), (proxy, "the edge (nginx)")):
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited with code {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError("the edge did not answer in time")
        time.sleep(0.3)
    OUT.note(f"edge is ready on http://127.0.0.1:{EDGE_PORT}/")


def _ready(service: Service) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=2)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _wait_ready(procs: dict[Service, subprocess.Popen[str]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = set(procs)
    while pending:
        for service in list(pending):
            code = procs[service].poll()
            if code is not None:
                raise RuntimeError(f"{service.name} exited with code {code} during start-up")
            if _ready(service):
                pending.discard(service)
                OUT.note(f"{service.name} is ready")
        if pending and time.monotonic() > deadline:
            names = ", ".join(sorted(s.name for s in pending))
            raise RuntimeError(f"not ready after {timeout:.0f}s: {names}")
        if pending:
            time.sleep(0.5)


def _stop_children() -> None:
    """SIGTERM every child's process group, wait, then SIGKILL what is left."""
    alive = [p for p in CHILDREN if p.poll() is None]
    for proc in alive:
        _signal(proc, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for proc in alive:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal(proc, signal.SIGKILL)
            proc.wait()
    for pump in PUMPS.values():  # let the last lines reach the terminal and the log files
        pump.join(timeout=2)


def _signal(proc: subprocess.Popen[str], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _box(lines: list[str]) -> str:
    width = max(len(line) for line in lines)
    top, bottom = "┌" + "─" * (width + 2) + "┐", "└" + "─" * (width + 2) + "┘"
    return "\n".join([top, *[f"│ {line:<{width}} │" for line in lines], bottom])


def _summary(services: list[Service], endpoints: dict[str, str]) -> str:
    lines = ["mentorship platform is up", ""]
    width = max(len(s.name) for s in services) if services else 0
    lines += [f"{s.name:<{width}}  {s.url}   API docs {s.url}/docs" for s in services]
    lines += [
        "",
        f"kafka          {endpoints['kafka_bootstrap']}",
        f"mongodb        {endpoints['mongo_url']}",
        f"minio (S3)     http://{endpoints['minio_endpoint']}  "
        f"({endpoints['minio_access_key']} / {endpoints['minio_secret_key']})",
        f"minio console  {endpoints['minio_console']}",
        f"mail (SMTP)    {endpoints['smtp_host']}:{endpoints['smtp_port']} captures every mail: "
        f"read it at {endpoints['mail_url']} or in {endpoints['mail_dir']}/",
        f"logs           {stack.settings().logs_dir}/",
        "",
        "Ctrl-C here, or `make down` from another terminal, stops everything.",
        "",
        f"Open the web app:  http://127.0.0.1:{EDGE_PORT}/",
    ]
    return _box(lines)


def _raise_shutdown(_signum: int, _frame: object) -> None:
    raise Shutdown


def _ignore_while_stopping(_signum: int, _frame: object) -> None:
    OUT.note("still stopping, please wait ...")


def run(seed: bool = True, keep_infra: bool = False) -> int:
    """Bring everything up and supervise it until interrupted; returns the exit code."""
    if not (VENV_BIN / "uvicorn").exists():
        print(f"error: {VENV_BIN / 'uvicorn'} not found; run `uv sync` first", file=sys.stderr)
        return 1
    pid_file = stack.supervisor_pid_file()
    other = stack.running_supervisor()
    if other is not None and other != os.getpid():
        print(f"error: `make up` is already running (pid {other})", file=sys.stderr)
        return 1
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(f"{os.getpid()}\n")
    signal.signal(signal.SIGTERM, _raise_shutdown)
    procs: dict[Service, subprocess.Popen[str]] = {}
    exit_code = 0
    try:
        stack.start()
        endpoints = stack.endpoints()
        build_web()
        present = _modules_present(
            ["chassis.topics_cli", "profiles.seed", *(f"{s.name}.main" for s in SERVICES)]
        )
        if "chassis.topics_cli" in present:
            _run_step(
                "topics",
                "chassis.topics_cli create",
                {"KAFKA_BOOTSTRAP": endpoints["kafka_bootstrap"]},
            )
        else:
            OUT.note("chassis.topics_cli not found: skipping topic creation")
        services = [s for s in SERVICES if f"{s.name}.main" in present]
        for missing in (s for s in SERVICES if s not in services):
            OUT.note(f"{missing.name}.main not found: not starting {missing.name}")
        for index, service in enumerate(services):
            cmd = [
                str(VENV_BIN / "uvicorn"),
                f"{service.name}.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(service.port),
            ]
            procs[service] = _spawn(
                service.name, index, cmd, service_env(service.name, service.port, endpoints)
            )
        _wait_ready(procs, READY_TIMEOUT)
        if not seed:
            OUT.note("seeding skipped (--no-seed)")
        elif "profiles.seed" in present:
            _run_step("seed", "profiles.seed", service_env("profiles", 8001, endpoints))
        else:
            OUT.note("profiles.seed not found: skipping seed data")
        _start_edge(services, endpoints)
        OUT.line(_summary(services, endpoints))
        while True:
            for service, proc in procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{service.name} exited with code {proc.returncode}")
            time.sleep(0.5)
    except (KeyboardInterrupt, Shutdown):
        OUT.note("stopping ...")
    except (RuntimeError, stack.StackError, subprocess.CalledProcessError) as exc:
        OUT.note(f"error: {exc}; stopping ...")
        exit_code = 1
    finally:
        signal.signal(signal.SIGINT, _ignore_while_stopping)
        signal.signal(signal.SIGTERM, _ignore_while_stopping)
        _stop_children()
        if not keep_infra:
            stack.stop(quiet=False)
        pid_file.unlink(missing_ok=True)
        OUT.note("stopped")
    return exit_code


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="up.py", description=__doc__.splitlines()[0])
    parser.add_argument("--no-seed", action="store_true", help="do not run profiles.seed")
    parser.add_argument(
        "--keep-infra",
        action="store_true",
        help="leave Kafka/FerretDB/MinIO running on exit (stop them with `make down`)",
    )
    args = parser.parse_args(argv)
    return run(seed=not args.no_seed, keep_infra=args.keep_infra)


if __name__ == "__main__":
    sys.exit(main())
