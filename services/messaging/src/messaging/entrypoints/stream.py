"""The WebSocket: one per client, every conversation of its member, resumable.

Protocol (JSON text frames):

* client first: ``{"type": "hello", "token": "<jwt>", "after": <position or null>}`` within
  ``MESSAGING_WS_AUTH_SECONDS`` (the token in a frame, not the URL, stays out of logs);
  a bad token closes with 4401, a position that cannot be resumed with an ``error``
  ``position_too_old`` frame and 4410 (reload over HTTP, reconnect without one);
* server: every missed ``event`` (``position``, ``kind``, ...) in order, then ``live``,
  then events as they happen, ``typing`` frames, and ``ping`` every heartbeat;
* client: ``ping`` (answered ``pong``), ``pong``, ``typing`` with a ``conversation_id``.
  A socket silent for three heartbeats is closed (4408), and so is one whose token expires
  (4401). Oversized, malformed, unknown or too many frames get an ``error`` frame and are
  dropped; the socket stays open (a client that keeps flooding is closed with 1008).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from chassis.auth import Principal, TokenVerifier
from chassis.errors import NotFound, Unauthorized
from messaging.adapters.live import Hub
from messaging.adapters.rates import TokenBuckets
from messaging.application.streaming import PositionTooOld, Streams, event_frame
from messaging.settings import MessagingSettings

router = APIRouter()
MAX_STRIKES = 100
SILENT_HEARTBEATS = 3  # a socket that said nothing for this many heartbeats is dead
MAX_OFFERED = 100  # live entries held for a busy socket; beyond, it reads its feed


class Connection:
    """One socket's state: where its member's feed was delivered up to, and its wake-up:
    entries offered by live notices, or ``stale`` (read the feed)."""

    def __init__(self, ws: WebSocket, settings: MessagingSettings) -> None:
        self.ws, self.settings = ws, settings
        self.woken = asyncio.Event()
        self.typing_frames: list[dict[str, Any]] = []
        self.offered: list[tuple[int, dict[str, Any], dict[str, Any] | None]] = []
        self.stale = False
        self.lock = asyncio.Lock()
        self.heard_at = time.monotonic()
        self.strikes = 0

    def wake(self) -> None:
        self.stale = True
        self.woken.set()

    def offer(self, position: int, entry: dict[str, Any], message: dict[str, Any] | None) -> None:
        if len(self.offered) < MAX_OFFERED:
            self.offered.append((position, entry, message))
        else:
            self.stale = True
        self.woken.set()

    def typing(self, conversation_id: str, user_id: str) -> None:
        if len(self.typing_frames) < 100:
            self.typing_frames.append(
                {"type": "typing", "conversation_id": conversation_id, "user_id": user_id}
            )
        self.woken.set()

    async def send(self, frame: dict[str, Any]) -> None:
        async with self.lock:
            await self.ws.send_text(json.dumps(frame, separators=(",", ":")))

    async def error(self, code: str, detail: str, **extra: Any) -> None:
        await self.send({"type": "error", "code": code, "detail": detail, **extra})


async def _hello(conn: Connection, verifier: TokenVerifier) -> tuple[Principal, int | None] | None:
    try:
        raw = await asyncio.wait_for(conn.ws.receive_text(), conn.settings.ws_auth_seconds)
    except TimeoutError:
        await conn.error("unauthorized", "send a hello frame with your token first")
        await conn.ws.close(4401)
        return None
    try:
        hello = json.loads(raw) if len(raw) <= conn.settings.ws_max_frame_bytes else None
        if not isinstance(hello, dict) or hello.get("type") != "hello":
            raise ValueError
        token, after = hello.get("token"), hello.get("after")
        if not isinstance(token, str) or (after is not None and not isinstance(after, int)):
            raise ValueError
    except ValueError:
        await conn.error("unauthorized", 'the first frame is {"type": "hello", "token": ...}')
        await conn.ws.close(4401)
        return None
    try:
        principal = verifier.verify(token)
    except Unauthorized as exc:
        await conn.error("unauthorized", exc.detail)
        await conn.ws.close(4401)
        return None
    return principal, after


@router.websocket("/v1/stream")
async def stream(ws: WebSocket) -> None:
    app = ws.app
    settings: MessagingSettings = app.state.runtime.settings
    streams: Streams = app.state.messaging.streams
    hub: Hub = app.state.hub
    limiter: TokenBuckets = app.state.frame_limiter
    await ws.accept()
    conn = Connection(ws, settings)
    greeted = await _hello(conn, app.state.token_verifier)
    if greeted is None:
        return
    principal, after = greeted
    hub.add(principal.tenant_id, principal.user_id, conn)
    try:
        try:
            position = await streams.start(principal, after)
        except PositionTooOld as exc:
            await _too_old(conn, exc)
            return
        tasks = [
            asyncio.create_task(_deliver(conn, streams, principal, position)),
            asyncio.create_task(_listen(conn, streams, principal, limiter)),
            asyncio.create_task(_heartbeat(conn, streams, principal)),
        ]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            failure = None if task.cancelled() else task.exception()
            if isinstance(failure, PositionTooOld):
                await _too_old(conn, failure)
            elif failure is not None and not isinstance(
                failure, WebSocketDisconnect | RuntimeError
            ):
                raise failure
    finally:
        hub.remove(principal.tenant_id, principal.user_id, conn)
        with contextlib.suppress(Exception):
            await streams.alive(principal)


async def _too_old(conn: Connection, exc: PositionTooOld) -> None:
    await conn.error("position_too_old", exc.detail, **exc.extra)
    await conn.ws.close(4410)


async def _deliver(conn: Connection, streams: Streams, principal: Principal, position: int) -> None:
    """The missed events, ``live``, then whatever the member's feed gains."""
    position = await _drain(conn, streams, principal, position)
    await conn.send({"type": "live", "position": position})
    while True:
        woken = True
        try:
            await asyncio.wait_for(conn.woken.wait(), conn.settings.ws_heartbeat_seconds)
        except TimeoutError:
            woken = False  # no notice for a while: look, in case one was lost
        conn.woken.clear()
        while conn.typing_frames:
            await conn.send(conn.typing_frames.pop(0))
        offered, conn.offered = conn.offered, []
        stale, conn.stale = conn.stale, False
        position, gap = await _send_offered(conn, position, offered)
        if gap or stale or not woken:
            position = await _drain(conn, streams, principal, position, verify=not woken)


async def _send_offered(
    conn: Connection,
    position: int,
    offered: list[tuple[int, dict[str, Any], dict[str, Any] | None]],
) -> tuple[int, bool]:
    """Sends the offered entries that follow ``position`` without a hole; True when one
    is missing (another replica's notice not here yet, or reordered): read the feed."""
    for at, entry, message in sorted(offered, key=lambda o: o[0]):
        if at <= position:
            continue  # read from the feed already
        if at != position + 1:
            return position, True
        await conn.send(event_frame(at, entry, message))
        position = at
    return position, False


async def _drain(
    conn: Connection, streams: Streams, principal: Principal, position: int, *, verify: bool = False
) -> int:
    while True:
        frames = await streams.since(principal, position, verify=verify)
        for frame in frames:
            await conn.send(frame)
            position = frame["position"]
        if len(frames) < 100:
            return position


async def _listen(
    conn: Connection, streams: Streams, principal: Principal, limiter: TokenBuckets
) -> None:
    key = f"{principal.tenant_id}|{principal.user_id}"
    expires = (principal.expires_at or 0) - time.time()
    while True:
        try:
            raw = await asyncio.wait_for(conn.ws.receive_text(), max(expires, 0.01))
        except TimeoutError:
            await conn.error("token_expired", "your token expired: reconnect with a new one")
            await conn.ws.close(4401)
            return
        expires = (principal.expires_at or 0) - time.time()
        conn.heard_at = time.monotonic()
        if not limiter.allow(key):
            conn.strikes += 1
            if conn.strikes > MAX_STRIKES:
                await conn.error("rate_limited", "too many frames: closing")
                await conn.ws.close(1008)
                return
            await conn.error("rate_limited", "too many frames: this one was dropped")
            continue
        conn.strikes = 0
        await _frame(conn, streams, principal, raw)


async def _frame(conn: Connection, streams: Streams, principal: Principal, raw: str) -> None:
    if len(raw.encode()) > conn.settings.ws_max_frame_bytes:
        await conn.error(
            "frame_too_large", f"frames are at most {conn.settings.ws_max_frame_bytes} bytes"
        )
        return
    try:
        frame = json.loads(raw)
    except ValueError:
        await conn.error("malformed", "frames are JSON objects")
        return
    kind = frame.get("type") if isinstance(frame, dict) else None
    if kind == "ping":
        await conn.send({"type": "pong"})
    elif kind == "pong":
        return
    elif kind == "typing":
        conversation_id = frame.get("conversation_id")
        if not isinstance(conversation_id, str) or not conversation_id:
            await conn.error("malformed", "typing names a conversation_id")
            return
        try:
            await streams.typing(principal, conversation_id)
        except NotFound as exc:
            await conn.error("not_found", exc.detail, conversation_id=conversation_id[:200])
    else:
        await conn.error("malformed", "frame types are ping, pong and typing")


async def _heartbeat(conn: Connection, streams: Streams, principal: Principal) -> None:
    interval = conn.settings.ws_heartbeat_seconds
    while True:
        await asyncio.sleep(interval)
        if time.monotonic() - conn.heard_at > SILENT_HEARTBEATS * interval:
            await conn.ws.close(4408)
            return
        await conn.send({"type": "ping"})
        await streams.alive(principal)
