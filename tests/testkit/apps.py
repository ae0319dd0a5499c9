"""Run services for tests: in-process (lifespan + httpx) or as real uvicorn processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

from testkit.infra import REPO


@asynccontextmanager
async def serve_in_process(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan (Kafka, relay, consumers) and give an HTTP client to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServiceProcess:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def run_services(
    envs: dict[str, dict[str, str]], log_dir: Path, ready_timeout: float = 60.0
) -> Iterator[dict[str, ServiceProcess]]:
    """Start ``uvicorn <name>.main:app`` per service with its environment; wait for /readyz.

    All start at once. ``<name>@<replica>`` starts another replica of ``<name>``."""
    started: dict[str, ServiceProcess] = {}
    try:
        for name, env in envs.items():
            module = name.split("@")[0]
            port = free_port()
            log_path = log_dir / f"{name}.log"
            log = log_path.open("wb")
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    f"{module}.main:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env={**os.environ, **env, f"{module.upper()}_HTTP_PORT": str(port)},
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
            started[name] = ServiceProcess(name, port, process, log_path)
        deadline = time.monotonic() + ready_timeout
        for svc in started.values():
            while True:
                if svc.process.poll() is not None:
                    raise RuntimeError(f"{svc.name} exited:\n{svc.log_tail()}")
                try:
                    if httpx.get(f"{svc.url}/readyz", timeout=10).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{svc.name} not ready in time:\n{svc.log_tail()}")
                time.sleep(0.2)
        yield started
    finally:
        for svc in started.values():
            svc.process.terminate()
        for svc in started.values():
            try:
                svc.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                svc.process.kill()
