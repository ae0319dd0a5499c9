"""Service processes the fault schedule can ``kill -9`` and start again on the same port.

Each instance is a real ``uvicorn <service>.main:app`` process; replicas of one service
share its database and consumer groups (as pods of one Deployment do). Only processes
started here are ever signalled, by their pid.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from faultkit.stack import REPO, free_port

STANDBY = Path(__file__).with_name("standby.py")


@dataclass
class Instance:
    service: str
    name: str  # e.g. matching-a
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    spare: subprocess.Popen[bytes] | None = None  # imported, waiting to take over
    restarts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


class Fleet:
    """The service instances of one run."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.instances: dict[str, Instance] = {}
        self.modules: dict[tuple[str, str], subprocess.Popen[bytes]] = {}

    def add(self, service: str, name: str, env: dict[str, str]) -> Instance:
        instance = Instance(service, name, free_port(), env, self.log_dir / f"{name}.log")
        self.instances[name] = instance
        return instance

    def of(self, service: str) -> list[Instance]:
        return [i for i in self.instances.values() if i.service == service]

    def urls(self, service: str) -> list[str]:
        return [i.url for i in self.of(service)]

    def _launch(self, instance: Instance, mode: str, target: str) -> subprocess.Popen[bytes]:
        log = instance.log_path.open("ab")
        prefix = instance.service.upper()
        process = subprocess.Popen(
            [sys.executable, str(STANDBY), instance.service, mode, target],
            env={**os.environ, **instance.env, f"{prefix}_HTTP_PORT": str(instance.port)},
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        log.close()
        return process

    @staticmethod
    def _go(process: subprocess.Popen[bytes]) -> None:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        process.stdin.close()

    def spawn(self, instance: Instance) -> None:
        """Start the instance: its spare takes over if one is waiting, else a new process."""
        with instance.log_path.open("ab") as log:
            log.write(f"\n=== start {time.strftime('%H:%M:%S')} ===\n".encode())
        spare, instance.spare = instance.spare, None
        if spare is None or spare.poll() is not None:
            spare = self._launch(instance, "serve", str(instance.port))
        self._go(spare)
        instance.process = spare

    def prepare_spare(self, instance: Instance) -> None:
        if instance.spare is None or instance.spare.poll() is not None:
            instance.spare = self._launch(instance, "serve", str(instance.port))

    def prepare_module(self, instance: Instance, module: str) -> None:
        """Import ``module``'s service now, to run it later with :meth:`run_module`."""
        self.modules[(instance.name, module)] = self._launch(instance, "run", module)

    async def run_module(self, instance: Instance, module: str, timeout: float) -> int:
        """Run ``python -m module`` with the instance's settings; its exit code."""
        process = self.modules.pop((instance.name, module), None)
        if process is None or process.poll() is not None:
            process = self._launch(instance, "run", module)
        self._go(process)
        return await asyncio.to_thread(process.wait, timeout)

    async def ready(self, instance: Instance, timeout: float = 600.0) -> float:
        """Wait until ``/readyz`` answers 200; returns the seconds waited."""
        began = time.monotonic()
        last = "no answer"
        while True:
            if instance.process is None or instance.process.poll() is not None:
                raise RuntimeError(f"{instance.name} exited:\n{instance.log_tail()}")
            try:  # a fresh connection each time: nothing carried over from the old process
                async with httpx.AsyncClient(timeout=10) as http:
                    r = await http.get(f"{instance.url}/readyz")
                if r.status_code == 200:
                    return time.monotonic() - began
                last = f"{r.status_code} {r.text[:300]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            if time.monotonic() - began > timeout:
                raise RuntimeError(f"{instance.name} not ready ({last}):\n{instance.log_tail()}")
            await asyncio.sleep(0.5)

    async def start(self, instance: Instance) -> float:
        self.spawn(instance)
        waited = await self.ready(instance)
        self.prepare_spare(instance)  # for the next crash
        return waited

    async def stop(self, instance: Instance, timeout: float = 60) -> None:
        """SIGTERM and wait: the service shuts down (its consumers leave their groups)."""
        if instance.alive:
            assert instance.process is not None
            instance.process.terminate()
            await asyncio.to_thread(instance.process.wait, timeout)

    def kill9(self, instance: Instance) -> None:
        assert instance.process is not None
        instance.process.send_signal(signal.SIGKILL)
        instance.process.wait(timeout=10)

    async def died(self, instance: Instance, timeout: float) -> int | None:
        """Wait up to ``timeout`` s for the process to exit by itself; its return code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if instance.process is not None and (code := instance.process.poll()) is not None:
                return code
            await asyncio.sleep(0.1)
        return None

    async def restart(self, instance: Instance) -> float:
        if instance.alive:
            self.kill9(instance)
        instance.restarts += 1
        return await self.start(instance)

    def stop_all(self) -> None:
        processes = [
            p
            for i in self.instances.values()
            for p in (i.process, i.spare)
            if p is not None and p.poll() is None
        ] + [p for p in self.modules.values() if p.poll() is None]
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
