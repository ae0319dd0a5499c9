"""The WebSocket clients of ``bench_messaging`` in a process of their own, so that a
thousand sockets' reads do not share a core's event loop with the sender's clock.

``python ws_clients.py <config.json>``; the config names ``mode`` (``echo`` or
``messaging``), the socket ``urls``, optional ``hello`` frames and the ``users`` behind
them. Talks JSON lines: prints ``{"ready": n}`` once connected, then one line per receipt
(``{"body": ..., "t": <time.monotonic()>}``; the monotonic clock is the machine's, so the
sender's process can subtract its own stamps). Reads commands on stdin: ``send <k>`` (echo:
a frame on a random socket, stamped here, reported as ``{"latency": s}``) and ``close``.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import sys
import time
from typing import Any

import websockets

BATCH = 50


def out(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


async def connect_all(urls: list[str], hello: list[str | None]) -> list[Any]:
    sockets: list[Any] = []
    for start in range(0, len(urls), BATCH):
        batch = await asyncio.gather(
            *(
                websockets.connect(u, max_queue=None, ping_interval=None, open_timeout=300)
                for u in urls[start : start + BATCH]
            )
        )
        for ws, h in zip(batch, hello[start : start + BATCH], strict=True):
            if h is not None:
                await ws.send(h)
        sockets.extend(batch)
    return sockets


async def main(config: dict[str, Any]) -> None:
    urls: list[str] = config["urls"]
    hello: list[str | None] = config.get("hello") or [None] * len(urls)
    users: list[str | None] = config.get("users") or [None] * len(urls)
    sockets = await connect_all(urls, hello)
    sent: dict[str, float] = {}

    async def read_echo(ws: Any) -> None:
        async for frame in ws:
            at = sent.pop(frame, None)
            if at is not None:
                out({"latency": time.monotonic() - at})

    async def read_messaging(ws: Any, me: str | None) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "ping":
                await ws.send('{"type":"pong"}')
            message = frame.get("message") or {}
            if frame.get("kind") == "message.created" and message.get("sender") != me:
                out({"body": message.get("body"), "t": time.monotonic()})

    if config["mode"] == "echo":
        readers = [asyncio.create_task(read_echo(ws)) for ws in sockets]
    else:
        readers = [
            asyncio.create_task(read_messaging(ws, me))
            for ws, me in zip(sockets, users, strict=True)
        ]
    out({"ready": len(sockets)})
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        if line == "close":
            break
        if line.startswith("send "):
            frame = f"m{line.split()[1]}"
            sent[frame] = time.monotonic()
            await random.choice(sockets).send(frame)
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with open(sys.argv[1]) as f:
        asyncio.run(main(json.load(f)))
