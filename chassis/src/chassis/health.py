"""``/healthz`` (alive), ``/readyz`` (what a request needs answers) and ``/metrics``.

Readiness fails only on a *required* dependency: the database, without which no request can
be served. The broker (and object storage) are reported in the same body and as the
``dependency_up`` gauge, but never take the replica out of its Service: the outbox exists
to absorb a Kafka outage, and an unready pod on Kubernetes takes no requests at all, so a
broker-driven readiness failure would turn an outage the outbox absorbs into a full one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ReadinessCheck = Callable[[], Awaitable[object]]

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
DEPENDENCY_UP = Gauge(
    "dependency_up", "1 if the dependency answered the last readiness check", ["dependency"]
)


def health_router(
    checks: dict[str, ReadinessCheck],
    timeout: float = 3.0,
    *,
    degraded_only: frozenset[str] = frozenset(),
) -> APIRouter:
    """Probes over ``checks``; a failing check named in ``degraded_only`` is reported
    (``"status": "degraded"``, the gauge) but keeps the replica ready."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: the dependencies a request needs answer")
    async def readyz() -> JSONResponse:
        async def run(check: ReadinessCheck) -> str:
            try:
                await asyncio.wait_for(check(), timeout)
                return "ok"
            except Exception as exc:
                return f"failing: {type(exc).__name__}: {exc}"[:300]

        results = dict(
            zip(checks, await asyncio.gather(*(run(c) for c in checks.values())), strict=True)
        )
        for name, result in results.items():
            DEPENDENCY_UP.labels(name).set(1 if result == "ok" else 0)
        failing = [name for name, result in results.items() if result != "ok"]
        ready = all(name in degraded_only for name in failing)
        status = "not ready" if not ready else "degraded" if failing else "ready"
        return JSONResponse(
            {
                "status": status,
                "checks": results,
                "required": [name for name in checks if name not in degraded_only],
            },
            status_code=200 if ready else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


class MetricsMiddleware:
    """Counts requests and observes their latency up to the response's start, by route.

    Plain ASGI (not ``BaseHTTPMiddleware``, which runs every ``receive`` of a streamed
    body through a task group and relays a streamed response through a memory stream)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                path = getattr(scope.get("route"), "path", "unmatched")
                method = scope["method"]
                HTTP_REQUESTS.labels(self.service, method, path, message["status"]).inc()
                HTTP_LATENCY.labels(self.service, method, path).observe(time.perf_counter() - start)
            await send(message)

        await self.app(scope, receive, observed)
