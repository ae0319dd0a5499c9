"""The service runtime: one place that wires settings, infrastructure and the HTTP app.

A service's ``bootstrap.py`` calls :func:`build_runtime`, registers its consumers on
``runtime.consumers`` and its routers, then :func:`create_service_app`. Everything a
service needs from the outside world hangs off :class:`Runtime`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from chassis.auth import TokenVerifier
from chassis.consumers import EventConsumers
from chassis.eventstore import EventStore
from chassis.health import MetricsMiddleware, ReadinessCheck, health_router
from chassis.kafka import create_broker
from chassis.limits import install_body_limits
from chassis.logs import configure_logging
from chassis.mongo import connect_mongo, mongo_ready, service_database
from chassis.objectstore import ObjectStore
from chassis.outbox import OutboxRelay
from chassis.problems import install_problem_handlers
from chassis.settings import ObjectStorageSettings, ServiceSettings
from chassis.storage import StorageProfile
from chassis.telemetry import setup_tracing

log = logging.getLogger("chassis.app")

StartupHook = Callable[["Runtime"], Awaitable[None]]


@dataclass
class Runtime:
    settings: ServiceSettings
    mongo: AsyncMongoClient
    db: AsyncDatabase
    broker: KafkaBroker
    events: EventStore
    relay: OutboxRelay
    consumers: EventConsumers
    storage: StorageProfile
    objects: ObjectStore | None = None
    background: list[asyncio.Task[Any]] = field(default_factory=list)

    def start_background(self, coro: Awaitable[Any], name: str) -> None:
        self.background.append(asyncio.create_task(coro, name=name))  # type: ignore[arg-type]


def build_runtime(settings: ServiceSettings) -> Runtime:
    """Create clients (no I/O yet: connections open in the app's lifespan)."""
    configure_logging(settings.service_name, settings.log_level)
    setup_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint)
    mongo = connect_mongo(settings)
    db = service_database(mongo, settings)
    broker = create_broker(settings)
    storage = StorageProfile.named(settings.storage_profile)
    events = EventStore(db, source=f"/mentorship/{settings.service_name}", storage=storage)
    relay = OutboxRelay(
        events,
        broker,
        topic_prefix=settings.topic_prefix,
        batch_size=settings.relay_batch_size,
        idle_poll_seconds=settings.relay_idle_poll_seconds,
        sweep_seconds=settings.relay_sweep_seconds,
        grace_seconds=settings.relay_grace_seconds,
        record_seconds=settings.relay_record_seconds,
    )
    return Runtime(
        settings=settings,
        mongo=mongo,
        db=db,
        broker=broker,
        events=events,
        relay=relay,
        consumers=EventConsumers(broker, db, settings),
        storage=storage,
        objects=ObjectStore(settings) if isinstance(settings, ObjectStorageSettings) else None,
    )


async def shut_down(runtime: Runtime) -> None:
    """Stop background work, then Kafka, then MongoDB, each step bounded.

    A step that hangs (a handler that swallows cancellation, a consumer stuck in a rebalance)
    is logged and left behind, so the process still exits before its grace period ends in a
    SIGKILL; the outbox and uncommitted offsets make up for whatever it left undone."""
    for task in runtime.background:
        task.cancel()
    steps: list[tuple[str, Awaitable[Any]]] = [
        ("background tasks", asyncio.gather(*runtime.background, return_exceptions=True)),
        ("kafka", runtime.broker.stop()),
        ("mongodb", runtime.mongo.close()),
    ]
    budget = runtime.settings.shutdown_step_seconds
    for name, step in steps:
        try:
            async with asyncio.timeout(budget):
                await step
        except TimeoutError:
            log.error("shutdown step timed out", extra={"step": name, "seconds": budget})


def create_service_app(
    runtime: Runtime,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    on_startup: Sequence[StartupHook] = (),
) -> FastAPI:
    settings = runtime.settings

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.events.ensure_indexes()
        for hook in on_startup:
            await hook(runtime)
        await runtime.broker.start()
        runtime.start_background(runtime.relay.run(), "outbox-relay")
        log.info("service started", extra={"port": settings.http_port})
        try:
            yield
        finally:
            await shut_down(runtime)

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier(settings)
    install_problem_handlers(app)
    app.add_middleware(MetricsMiddleware, service=settings.service_name)

    checks: dict[str, ReadinessCheck] = {
        "mongodb": lambda: mongo_ready(runtime.mongo),
        "kafka": lambda: _kafka_ready(runtime.broker),
    }
    if runtime.objects is not None:
        checks["object_storage"] = runtime.objects.ready
    # a request needs the database; the outbox absorbs a broker outage, and object storage
    # failing fails only the requests that touch it (cleanly): report those, stay ready
    app.include_router(health_router(checks, degraded_only=frozenset({"kafka", "object_storage"})))

    @app.get(
        "/asyncapi.json",
        tags=["operations"],
        summary="The topics this service publishes and consumes (AsyncAPI 3)",
    )
    async def asyncapi() -> dict[str, Any]:
        from mentorship_contracts.asyncapi import service_asyncapi

        return service_asyncapi(settings.service_name, runtime.consumers.topics)

    for router in routers:
        app.include_router(router)
    # after the routers: a route may declare a larger limit than the default (limits.py)
    install_body_limits(app, settings, default=settings.max_request_body_bytes)

    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # No span per ASGI message: a streamed upload or download is thousands of them.
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="healthz,readyz,metrics", exclude_spans=["receive", "send"]
    )
    return app


async def _kafka_ready(broker: KafkaBroker) -> None:
    if not await broker.ping(timeout=2.0):
        raise ConnectionError("Kafka did not answer")
