"""``/healthz`` (alive), ``/readyz`` (own dependencies reachable) and ``/metrics``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

ReadinessCheck = Callable[[], Awaitable[object]]

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)


def health_router(checks: dict[str, ReadinessCheck], timeout: float = 3.0) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: every dependency of this service answers")
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
        ready = all(r == "ok" for r in results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": results},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


class MetricsMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: object, service: str) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.service = service

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        HTTP_REQUESTS.labels(self.service, request.method, path, response.status_code).inc()
        HTTP_LATENCY.labels(self.service, request.method, path).observe(time.perf_counter() - start)
        return response
