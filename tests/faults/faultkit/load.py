"""The load generator: registered flows driven at a steady rate through the HTTP APIs.

Everything a client was told is written to the :class:`Ledger`: every answer (status,
``Retry-After``, latency), every **acknowledged** write (a 2xx the client may rely on)
and every write whose outcome the client could not learn (the connection broke). The
checker judges the platform against the acknowledged writes only; an unknown outcome may
or may not have happened, but must never have happened twice.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from chassis.devtokens import mint_token
from faultkit import registry

RETRYABLE_STATUS = {502, 503, 504}


@dataclass
class Outcome:
    flow: str
    service: str
    method: str
    route: str
    status: int | None  # None: no answer (connection refused or broken)
    retry_after: str | None
    problem_json: bool
    at: float
    latency: float


@dataclass
class Ack:
    kind: str
    key: str
    data: dict[str, Any]
    at: float


@dataclass
class Ledger:
    started: float = field(default_factory=time.monotonic)
    outcomes: list[Outcome] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    unknown: list[Ack] = field(default_factory=list)
    steps: Counter[str] = field(default_factory=Counter)  # flow -> completed steps

    def now(self) -> float:
        return time.monotonic() - self.started

    def ack(self, kind: str, key: str, **data: Any) -> None:
        self.acks.append(Ack(kind, key, data, self.now()))

    def maybe(self, kind: str, key: str, **data: Any) -> None:
        self.unknown.append(Ack(kind, key, data, self.now()))

    def acked(self, kind: str) -> list[Ack]:
        return [a for a in self.acks if a.kind == kind]


@dataclass
class World:
    """The people and things of the run's tenant, as the clients know them."""

    tenant: str
    admin: str = "admin"
    program_id: str = ""
    members: dict[str, str] = field(default_factory=dict)  # user id -> member id
    mentors: list[str] = field(default_factory=list)  # user ids
    mentees: list[str] = field(default_factory=list)
    capacity: dict[str, int] = field(default_factory=dict)  # mentor user id -> capacity
    probe_mentor: str = "probe-mentor"
    #: per-service state of the flows (what is pending, what is active ...)
    state: dict[str, Any] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    tokens: dict[tuple[str, ...], dict[str, str]] = field(default_factory=dict)

    def lock(self, key: str) -> asyncio.Lock:
        return self.locks.setdefault(key, asyncio.Lock())

    def auth(self, user: str, *roles: str) -> dict[str, str]:
        """The user's bearer header (minted once: RS256 signing is not free under load)."""
        key = (user, *roles)
        if key not in self.tokens:
            token = mint_token(
                user, self.tenant, roles=list(roles) or ["member"], ttl_seconds=6 * 3600
            )
            self.tokens[key] = {"Authorization": f"Bearer {token}"}
        return self.tokens[key]


class Api:
    """One service's HTTP API behind a client-side balancer over its replicas."""

    def __init__(
        self, service: str, urls: Callable[[], list[str]], ledger: Ledger, http: httpx.AsyncClient
    ) -> None:
        self.service, self.urls, self.ledger, self.http = service, urls, ledger, http
        self._turn = itertools.count()

    async def call(
        self,
        flow: str,
        method: str,
        route: str,
        *,
        headers: dict[str, str],
        json: Any = None,
        params: dict[str, Any] | None = None,
        content: bytes | AsyncIterator[bytes] | None = None,
        retry_for: float = 0.0,
        **path: str,
    ) -> tuple[httpx.Response | None, int]:
        """One logical request; returns the last answer (None: none came) and attempts.

        With ``retry_for`` > 0 the same request (same ``Idempotency-Key``, same ``If-Match``)
        is tried again on another replica while no answer comes or a 5xx says "retry",
        as a client that was told nothing may; ``Retry-After`` is honoured (capped).
        """
        deadline = time.monotonic() + retry_for
        attempts = 0
        while True:
            attempts += 1
            urls = self.urls()
            base = urls[next(self._turn) % len(urls)]
            began = time.monotonic()
            response: httpx.Response | None = None
            try:
                response = await self.http.request(
                    method,
                    base + route.format(**path),
                    headers=headers,
                    json=json,
                    params=params,
                    content=content,
                )
            except httpx.HTTPError:
                pass
            self.ledger.outcomes.append(
                Outcome(
                    flow,
                    self.service,
                    method,
                    route,
                    None if response is None else response.status_code,
                    None if response is None else response.headers.get("retry-after"),
                    response is not None
                    and response.headers.get("content-type", "").startswith(
                        "application/problem+json"
                    ),
                    self.ledger.now(),
                    time.monotonic() - began,
                )
            )
            retry = response is None or response.status_code in RETRYABLE_STATUS
            if not retry or time.monotonic() >= deadline:
                return response, attempts
            wait = 0.3 * min(attempts, 5)
            if response is not None and (after := response.headers.get("retry-after")):
                wait = min(float(after), 2.0) if after.isdigit() else wait
            await asyncio.sleep(wait * (0.5 + random.random()))

    async def all_pages(
        self,
        route: str,
        *,
        headers: dict[str, str],
        params: dict[str, Any] | None = None,
        **path: str,
    ) -> list[dict[str, Any]]:
        """Every item of a cursor-paginated list (``items``, ``next_cursor``), as a checker
        reads it: retried while the service recovers, a non-200 fails the check."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {"limit": 100, **(params or {}), **({"cursor": cursor} if cursor else {})}
            r, _ = await self.call(  # path values are str: mypy can't tell them from kwargs
                "check",
                "GET",
                route,
                headers=headers,
                params=query,
                retry_for=30,
                **path,  # type: ignore[arg-type]
            )
            assert r is not None and r.status_code == 200, r and r.text
            page = r.json()
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


@dataclass
class Clients:
    apis: dict[str, Api]

    def __getitem__(self, service: str) -> Api:
        return self.apis[service]


def idempotency_key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def until(what: str, attempt: Callable[[], Awaitable[Any]], timeout: float = 120.0) -> Any:
    """Call ``attempt`` until it returns something truthy (a projection caught up)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if found := await attempt():
            return found
        assert asyncio.get_running_loop().time() < deadline, f"setup: {what}"
        await asyncio.sleep(0.3)


class LoadGenerator:
    """Runs every registered flow at its rate until stopped: each flow is a loop that
    starts one step per period (steps may overlap when the platform is slow, as real
    users' requests do), so the offered load stays steady through faults."""

    def __init__(self, world: World, clients: Clients, ledger: Ledger, scale: float = 1.0):
        self.world, self.clients, self.ledger, self.scale = world, clients, ledger, scale
        self._stop = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()

    async def _drive(self, flow: registry.Flow) -> None:
        period = 1.0 / (flow.rate * self.scale)
        next_at = time.monotonic()
        while not self._stop.is_set():
            task = asyncio.create_task(self._step(flow))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
            next_at += period * (0.5 + random.random())
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def _step(self, flow: registry.Flow) -> None:
        await flow.step(self.world, self.clients, self.ledger)
        self.ledger.steps[flow.name] += 1

    async def run(self) -> None:
        drivers = [asyncio.create_task(self._drive(f)) for f in registry.FLOWS.values()]
        await self._stop.wait()
        for d in drivers:
            d.cancel()
        await asyncio.gather(*drivers, return_exceptions=True)
        if self._inflight:
            done = await asyncio.gather(*self._inflight, return_exceptions=True)
            errors = [e for e in done if isinstance(e, BaseException)]
            if errors:
                raise errors[0]

    def stop(self) -> None:
        self._stop.set()
