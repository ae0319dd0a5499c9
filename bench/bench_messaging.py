"""Messaging: send-to-receipt latency with many connected clients, sustained sends, and
memory per idle connection, next to a bare WebSocket echo server measured in the same run.

* baseline: a ``websockets`` echo server in its own process; the same number of connected
  clients; latency = a client's frame to its echo, at the same steady rate;
* messaging: one uvicorn replica on the local stack; clients are the members of pair
  conversations opened by match-made events; latency = the sender's HTTP POST to the
  other member's socket receiving the event (send -> event store -> read model -> feeds ->
  Kafka live notice -> socket -> feed read -> frame).

``BENCH_MESSAGING_CLIENTS`` (default 1000), ``BENCH_MESSAGING_RATE`` (messages/s, 20),
``BENCH_MESSAGING_SECONDS`` (10), ``BENCH_MESSAGING_BURST_SECONDS`` (8).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import websockets
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
    async for m in ws:
        await ws.send(m)
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


async def connect_all(urls: list[str], hello: list[str | None]) -> list[Any]:
    sockets: list[Any] = []
    for start in range(0, len(urls), 25):
        batch = await asyncio.gather(
            *(
                websockets.connect(u, max_queue=None, ping_interval=None, open_timeout=120)
                for u in urls[start : start + 25]
            )
        )
        for ws, h in zip(batch, hello[start : start + 25], strict=True):
            if h is not None:
                await ws.send(h)
        sockets.extend(batch)
    return sockets


async def echo_baseline() -> dict[str, float]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", ECHO, str(port)])
    try:
        await wait_port(port)
        before = rss_kb(process.pid)
        sockets = await connect_all([f"ws://127.0.0.1:{port}"] * CLIENTS, [None] * CLIENTS)
        await asyncio.sleep(1)
        per_connection = (rss_kb(process.pid) - before) / CLIENTS
        sent: dict[str, float] = {}
        latencies: list[float] = []

        async def reader(ws: Any) -> None:
            async for frame in ws:
                latencies.append(time.perf_counter() - sent.pop(frame))

        readers = [asyncio.create_task(reader(ws)) for ws in sockets]
        latency = await steady(lambda k: _echo_send(random.choice(sockets), sent, k), latencies)
        latencies.clear()
        count = await burst(lambda k: _echo_send(random.choice(sockets), sent, k), latencies)
        for task in readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        return {
            **latency,
            "burst_per_s": count / BURST_SECONDS,
            "kb_per_connection": per_connection,
        }
    finally:
        process.terminate()
        process.wait(10)


async def _echo_send(ws: Any, sent: dict[str, float], k: int) -> None:
    frame = f"m{k}"
    sent[frame] = time.perf_counter()
    await ws.send(frame)


async def steady(send: Any, latencies: list[float]) -> dict[str, float]:
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
    await asyncio.sleep(2)
    return {
        "p50_ms": pct(latencies, 0.5),
        "p99_ms": pct(latencies, 0.99),
        "received": len(latencies),
    }


async def burst(send: Any, latencies: list[float], concurrency: int = 16) -> int:
    """As many sends as ``concurrency`` senders manage in BURST_SECONDS; deliveries counted."""
    deadline = time.perf_counter() + BURST_SECONDS
    counter = iter(range(10**9))

    async def sender() -> None:
        while time.perf_counter() < deadline:
            await send(1_000_000 + next(counter))

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    await asyncio.sleep(2)
    return len(latencies)


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
        ],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_port(port)
        pairs = CLIENTS // 2
        users = [(f"mentor-{i}", f"mentee-{i}") for i in range(pairs)]
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, linger_ms=5)
        await producer.start()
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
        await producer.stop()
        tokens = {u: mint_token(u, tenant, ttl_seconds=3600) for pair in users for u in pair}
        async with httpx.AsyncClient(
            base_url=base, timeout=30, limits=httpx.Limits(max_connections=32)
        ) as http:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                last = users[-1][1]
                rows = (
                    await http.get(
                        "/v1/conversations", headers={"Authorization": f"Bearer {tokens[last]}"}
                    )
                ).json()
                if rows:
                    break
                await asyncio.sleep(1)
            opened_at = time.monotonic()
            before = rss_kb(process.pid)
            hello = [
                json.dumps({"type": "hello", "token": tokens[u], "after": None})
                for pair in users
                for u in pair
            ]
            sockets = await connect_all([f"ws://127.0.0.1:{port}/v1/stream"] * len(hello), hello)
            await asyncio.sleep(3)
            per_connection = (rss_kb(process.pid) - before) / len(sockets)
            sent: dict[str, float] = {}
            latencies: list[float] = []
            failed: list[int] = []

            async def reader(ws: Any) -> None:
                async for raw in ws:
                    frame = json.loads(raw)
                    if frame.get("type") == "ping":
                        await ws.send('{"type":"pong"}')
                    message = frame.get("message") or {}
                    if frame.get("kind") == "message.created" and message.get("body") in sent:
                        if message["sender"] != frame.get("_me"):
                            latencies.append(time.perf_counter() - sent.pop(message["body"]))

            readers = [asyncio.create_task(reader(ws)) for ws in sockets]

            async def send(k: int) -> None:
                mentor, _ = random.choice(users)
                body = f"bench message {k} {uuid.uuid4().hex[:6]}"
                sent[body] = time.perf_counter()
                pair = users.index((mentor, _))
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

            del opened_at
            latency = await steady(send, latencies)
            latencies.clear()
            count = await burst(send, latencies)
            for task in readers:
                task.cancel()
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
            return {
                "failed_sends": len(failed),
                **latency,
                "burst_per_s": count / BURST_SECONDS,
                "kb_per_connection": per_connection,
                "clients": len(sockets),
            }
    finally:
        process.terminate()
        process.wait(20)


async def run() -> list[dict[str, object]]:
    with provide() as infra:
        echo = await echo_baseline()
        chat = await messaging(infra)
    return [
        {
            "measure": f"bare WebSocket echo, {CLIENTS} clients, {RATE:.0f}/s",
            "p50 ms": echo["p50_ms"],
            "p99 ms": echo["p99_ms"],
            "sustained/s": echo["burst_per_s"],
            "KB per idle connection": echo["kb_per_connection"],
        },
        {
            "measure": f"messaging send->receipt, {chat['clients']:.0f} clients, {RATE:.0f}/s",
            "p50 ms": chat["p50_ms"],
            "p99 ms": chat["p99_ms"],
            "received": chat["received"],
            "failed sends": chat["failed_sends"],
            "sustained/s": chat["burst_per_s"],
            "KB per idle connection": chat["kb_per_connection"],
            "p99 ratio to echo": chat["p99_ms"] / echo["p99_ms"],
            "sustained ratio to echo": chat["burst_per_s"] / echo["burst_per_s"],
            "goal": "p99 < 100 ms",
        },
    ]


if __name__ == "__main__":
    from run import main

    main(["messaging"])
