"""Messaging: send-to-receipt latency with many connected clients, sustained sends, and
memory per idle connection, next to a bare WebSocket echo server measured in the same run.

* baseline: a ``websockets`` echo server in its own process; the same number of connected
  clients; latency = a client's frame to its echo, at the same steady rate;
* messaging: one uvicorn replica on the local stack; clients are the members of pair
  conversations opened by match-made events; latency = the sender's HTTP POST to the
  other member's socket receiving the event (send -> event store -> read model -> feeds ->
  Kafka live notice -> the replica reads the message once -> socket -> frame).

The sockets live in a process of their own (``ws_clients.py``, the same for both), apart
from the sender and from the server; receipts are stamped there on the machine's
monotonic clock. The file-descriptor limit is raised to its hard limit for all three.

``BENCH_MESSAGING_CLIENTS`` (default 1000), ``BENCH_MESSAGING_RATE`` (messages/s, 20),
``BENCH_MESSAGING_SECONDS`` (10), ``BENCH_MESSAGING_BURST_SECONDS`` (8).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from chassis.devtokens import mint_token
from chassis.kafka import ensure_topics
from mentorship_contracts.envelope import to_kafka
from mentorship_contracts.events.base import Participant
from mentorship_contracts.events.matching import MatchMadeV1
from mentorship_contracts.factory import new_event
from testkit.apps import free_port
from testkit.infra import REPO, Infra, provide, storage_profile

CLIENTS = int(os.environ.get("BENCH_MESSAGING_CLIENTS", "1000"))
RATE = float(os.environ.get("BENCH_MESSAGING_RATE", "20"))
SECONDS = float(os.environ.get("BENCH_MESSAGING_SECONDS", "10"))
BURST_SECONDS = float(os.environ.get("BENCH_MESSAGING_BURST_SECONDS", "8"))

ECHO = """
import asyncio, sys, websockets
async def echo(ws):
    try:
        async for m in ws:
            await ws.send(m)
    except websockets.ConnectionClosed:
        pass
async def main():
    async with websockets.serve(echo, "127.0.0.1", int(sys.argv[1]), max_queue=None):
        await asyncio.Future()
asyncio.run(main())
"""


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def wait_port(port: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


class Clients:
    """The client process: connects every socket, then reports each receipt."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.path = Path(tempfile.mkstemp(prefix="bench-ws-", suffix=".json")[1])
        self.path.write_text(json.dumps(config))
        self.process: asyncio.subprocess.Process | None = None
        self.receipts: dict[str, float] = {}  # messaging: body -> receipt time
        self.latencies: list[float] = []  # echo: measured in the client process
        self.ready = asyncio.get_running_loop().create_future()
        self._reader: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 600) -> int:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).parent / "ws_clients.py"),
            str(self.path),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**20,
        )
        self._reader = asyncio.create_task(self._read())
        return int(await asyncio.wait_for(self.ready, timeout))

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        while line := await self.process.stdout.readline():
            item = json.loads(line)
            if "ready" in item:
                self.ready.set_result(item["ready"])
            elif "latency" in item:
                self.latencies.append(item["latency"])
            elif item.get("body") is not None:
                self.receipts.setdefault(item["body"], item["t"])
        if not self.ready.done():
            self.ready.set_exception(RuntimeError("the client process ended before connecting"))

    async def command(self, line: str) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(f"{line}\n".encode())
        await self.process.stdin.drain()

    async def close(self) -> None:
        if self.process is None:
            return
        if self.process.returncode is None:
            with contextlib.suppress(Exception):
                await self.command("close")
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            self._reader.cancel()


async def echo_baseline() -> dict[str, float]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", ECHO, str(port)])
    clients = Clients({"mode": "echo", "urls": [f"ws://127.0.0.1:{port}"] * CLIENTS})
    try:
        await wait_port(port)
        before = rss_kb(process.pid)
        connected = await clients.start()
        await asyncio.sleep(1)
        per_connection = (rss_kb(process.pid) - before) / connected
        latency = await steady(lambda k: clients.command(f"send {k}"), lambda: clients.latencies)
        clients.latencies.clear()
        count = await burst(lambda k: clients.command(f"send {k}"), lambda: clients.latencies)
        return {
            **latency,
            "burst_per_s": count / BURST_SECONDS,
            "kb_per_connection": per_connection,
            "clients": connected,
        }
    finally:
        await clients.close()
        process.terminate()
        process.wait(10)


async def steady(send: Any, latencies: Any) -> dict[str, float]:
    """Sends at RATE for SECONDS; the latencies of what was received."""
    interval = 1 / RATE
    started = time.perf_counter()
    tasks = []
    for k in range(int(RATE * SECONDS)):
        delay = started + k * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(k)))
    await asyncio.gather(*tasks)
    await asyncio.sleep(3)
    values = latencies()
    return {
        "p50_ms": pct(values, 0.5),
        "p99_ms": pct(values, 0.99),
        "received": len(values),
        "sent": int(RATE * SECONDS),
    }


async def burst(send: Any, latencies: Any, concurrency: int = 16) -> int:
    """As many sends as ``concurrency`` senders manage in BURST_SECONDS; deliveries counted
    (those that arrive within the window and 2 s after)."""
    deadline = time.perf_counter() + BURST_SECONDS
    counter = iter(range(10**9))

    async def sender() -> None:
        while time.perf_counter() < deadline:
            await send(1_000_000 + next(counter))

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    await asyncio.sleep(2)
    return len(latencies())


async def open_conversations(
    infra: Infra, prefix: str, tenant: str, users: list[tuple[str, str]]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, linger_ms=5)
    await producer.start()
    try:
        for i, (mentor, mentee) in enumerate(users):
            payload = MatchMadeV1(
                tenant_id=tenant,
                match_id=f"bm{i}",
                program_id="bench",
                mode="one_to_one",
                mentor=Participant(member_id=f"m-{mentor}", user_id=mentor),
                mentees=[Participant(member_id=f"m-{mentee}", user_id=mentee)],
                origin="request",
            )
            body, headers = to_kafka(new_event(payload, source="/bench", subject=payload.match_id))
            await producer.send(
                prefix + "match-made", body, key=payload.match_id.encode(), headers=headers
            )
    finally:
        await producer.stop()


async def wait_opened(
    http: httpx.AsyncClient, tokens: dict[str, str], users: list[tuple[str, str]]
) -> float:
    """Until every pair's conversation opens for its mentee (a point read each, the last
    match first); the seconds it took."""
    started = time.monotonic()

    async def opened(i: int) -> bool:
        mentee = users[i][1]
        r = await http.get(
            f"/v1/conversations/m-bm{i}", headers={"Authorization": f"Bearer {tokens[mentee]}"}
        )
        return r.status_code == 200

    missing = list(range(len(users)))
    while missing and time.monotonic() - started < 900:
        await asyncio.sleep(1)
        if not await opened(missing[-1]):
            continue
        found = await asyncio.gather(*(opened(i) for i in missing))
        missing = [i for i, ok in zip(missing, found, strict=True) if not ok]
    if missing:
        raise RuntimeError(f"{len(missing)} conversations not opened in time")
    return time.monotonic() - started


async def messaging(infra: Infra) -> dict[str, float]:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    await ensure_topics(infra.kafka_bootstrap, prefix=prefix)
    port = free_port()
    tenant = f"bench-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "MESSAGING_ENVIRONMENT": "test",
        "MESSAGING_MONGO_URL": infra.mongo_url,
        "MESSAGING_MONGO_DB": f"bench_messaging_{uuid.uuid4().hex[:8]}",
        "MESSAGING_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "MESSAGING_TOPIC_PREFIX": prefix,
        "MESSAGING_CONSUMER_GROUP_PREFIX": prefix,
        "MESSAGING_STORAGE_PROFILE": storage_profile(),
        "MESSAGING_HTTP_PORT": str(port),
        "MESSAGING_SENDS_PER_SECOND": "1000",
        "MESSAGING_SEND_BURST": "1000",
        "MESSAGING_LOG_LEVEL": "WARNING",
    }
    log = tempfile.NamedTemporaryFile(prefix="bench-messaging-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "messaging.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--backlog",
            "4096",
        ],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    clients: Clients | None = None
    try:
        await wait_port(port)
        pairs = CLIENTS // 2
        users = [(f"mentor-{i}", f"mentee-{i}") for i in range(pairs)]
        await open_conversations(infra, prefix, tenant, users)
        tokens = {u: mint_token(u, tenant, ttl_seconds=3600) for pair in users for u in pair}
        async with httpx.AsyncClient(
            base_url=base, timeout=30, limits=httpx.Limits(max_connections=32)
        ) as http:
            opening_s = await wait_opened(http, tokens, users)
            before = rss_kb(process.pid)
            everyone = [u for pair in users for u in pair]
            clients = Clients(
                {
                    "mode": "messaging",
                    "urls": [f"ws://127.0.0.1:{port}/v1/stream"] * len(everyone),
                    "hello": [
                        json.dumps({"type": "hello", "token": tokens[u], "after": None})
                        for u in everyone
                    ],
                    "users": everyone,
                }
            )
            connected = await clients.start()
            await asyncio.sleep(3)
            per_connection = (rss_kb(process.pid) - before) / connected
            sent: dict[str, float] = {}
            failed: list[int] = []

            async def send(k: int) -> None:
                pair = random.randrange(pairs)
                mentor = users[pair][0]
                body = f"bench message {k} {uuid.uuid4().hex[:6]}"
                sent[body] = time.monotonic()
                try:
                    r = await http.post(
                        f"/v1/conversations/m-bm{pair}/messages",
                        headers={"Authorization": f"Bearer {tokens[mentor]}"},
                        json={"body": body},
                    )
                    ok = r.status_code == 201
                except httpx.HTTPError:  # counted as not received
                    ok = False
                if not ok:
                    failed.append(k)
                    sent.pop(body, None)

            def latencies() -> list[float]:
                return [clients.receipts[b] - t for b, t in sent.items() if b in clients.receipts]

            latency = await steady(send, latencies)
            sent.clear()
            count = await burst(send, latencies)
            return {
                "failed_sends": len(failed),
                **latency,
                "burst_per_s": count / BURST_SECONDS,
                "kb_per_connection": per_connection,
                "clients": connected,
                "opening_s": opening_s,
            }
    finally:
        if clients is not None:
            await clients.close()
        process.terminate()
        process.wait(20)


async def run() -> list[dict[str, object]]:
    raise_fd_limit()
    load_before = os.getloadavg()[0]
    with provide() as infra:
        echo = await echo_baseline()
        chat = await messaging(infra)
    load = f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    return [
        {
            "measure": f"bare WebSocket echo, {echo['clients']:.0f} clients, {RATE:.0f}/s",
            "p50 ms": echo["p50_ms"],
            "p99 ms": echo["p99_ms"],
            "received": f"{echo['received']:.0f}/{echo['sent']:.0f}",
            "sustained/s": echo["burst_per_s"],
            "KB per idle connection": echo["kb_per_connection"],
            "load avg (1 min)": load,
        },
        {
            "measure": f"messaging send->receipt, {chat['clients']:.0f} clients, {RATE:.0f}/s",
            "p50 ms": chat["p50_ms"],
            "p99 ms": chat["p99_ms"],
            "received": f"{chat['received']:.0f}/{chat['sent']:.0f}",
            "failed sends": chat["failed_sends"],
            "sustained/s": chat["burst_per_s"],
            "KB per idle connection": chat["kb_per_connection"],
            "p99 ratio to echo": chat["p99_ms"] / echo["p99_ms"],
            "sustained ratio to echo": chat["burst_per_s"] / echo["burst_per_s"],
            "conversations opened in s": chat["opening_s"],
            "goal": "p99 < 100 ms",
        },
    ]


if __name__ == "__main__":
    from run import main

    main(["messaging"])
