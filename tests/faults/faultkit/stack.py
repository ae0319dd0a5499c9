"""A private copy of the local infrastructure (Kafka, FerretDB, MinIO) on free ports.

Faults stop and start components of *this* instance only: the shared stack other suites
use is never touched. ``deploy/local/stack.py`` reads its ports and state directory from
the environment on every call, so each operation runs it in a subprocess with this
instance's overrides (the binaries are shared through the per-user cache).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
STACK = REPO / "deploy" / "local" / "stack.py"

_CONTROL = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("private_stack", sys.argv[1])
stack = importlib.util.module_from_spec(spec); spec.loader.exec_module(stack)
verb, names = sys.argv[2], sys.argv[3:] or None
if verb == "start":
    stack.start(quiet=True)
elif verb == "stop":
    stack.stop(names, quiet=True)
elif verb == "pids":
    print(json.dumps({n: s.pid for n, s in stack.status().items()}))
"""


#: Ports below the kernel's ephemeral range: a client that keeps connecting to a port in
#: that range while nothing listens (a restart, a readiness poll) can be handed the same
#: port as its source and connect to itself, which then blocks the restarted server.
PORTS = range(20000, 32000)


def free_port() -> int:
    while True:
        port = random.choice(PORTS)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


@dataclass
class PrivateStack:
    state_dir: Path
    ports: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # every port setting the stack reads (components get added: SMTP, ...), each free
        names = sorted(set(re.findall(r'"(STACK_[A-Z_]+_PORT)"', STACK.read_text())))
        self.ports = self.ports or {name: free_port() for name in names}

    @property
    def env(self) -> dict[str, str]:
        return {
            "STACK_STATE_DIR": str(self.state_dir),
            **{k: str(v) for k, v in self.ports.items()},
        }

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.ports['STACK_KAFKA_PORT']}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.ports['STACK_MONGO_PORT']}/"

    @property
    def minio_endpoint(self) -> str:
        return f"127.0.0.1:{self.ports['STACK_MINIO_PORT']}"

    def _run(self, *args: str, timeout: float = 240) -> str:
        done = subprocess.run(
            [sys.executable, "-c", _CONTROL, str(STACK), *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"stack {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self) -> float:
        """Start what is not running and wait until healthy; returns the seconds it took."""
        began = time.monotonic()
        self._run("start")
        return time.monotonic() - began

    def stop(self, *names: str) -> None:
        """Stop the named components of this instance (all of them when none is named)."""
        self._run("stop", *names)

    async def astart(self) -> float:
        return await asyncio.to_thread(self.start)

    async def astop(self, *names: str) -> None:
        await asyncio.to_thread(self.stop, *names)
