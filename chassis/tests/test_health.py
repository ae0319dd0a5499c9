"""Readiness reports what a request needs; a database outage answers 503 + Retry-After."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from minio.error import S3Error
from pymongo.errors import AutoReconnect, OperationFailure, ServerSelectionTimeoutError
from urllib3 import HTTPResponse
from urllib3.exceptions import MaxRetryError

from chassis.health import health_router
from chassis.problems import install_problem_handlers


async def _ok() -> None:
    return None


async def _down() -> None:
    raise ConnectionError("no answer")


def _probe(**checks: object) -> TestClient:
    app = FastAPI()
    app.include_router(
        health_router(checks, degraded_only=frozenset({"kafka", "object_storage"}))  # type: ignore[arg-type]
    )
    return TestClient(app)


def test_ready_when_everything_answers() -> None:
    r = _probe(mongodb=_ok, kafka=_ok).get("/readyz")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ready",
        "checks": {"mongodb": "ok", "kafka": "ok"},
        "required": ["mongodb"],
    }


def test_broker_down_is_degraded_but_ready() -> None:
    client = _probe(mongodb=_ok, kafka=_down, object_storage=_down)
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "degraded"
    assert body["checks"]["kafka"].startswith("failing: ConnectionError")
    assert body["checks"]["object_storage"].startswith("failing")
    metrics = client.get("/metrics").text
    assert 'dependency_up{dependency="kafka"} 0.0' in metrics
    assert 'dependency_up{dependency="mongodb"} 1.0' in metrics


def test_database_down_is_not_ready() -> None:
    r = _probe(mongodb=_down, kafka=_ok).get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "not ready"


def _failing_app() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/no-server")
    async def no_server() -> None:
        raise ServerSelectionTimeoutError("127.0.0.1:27017: connection refused")

    @app.post("/broken-mid-write")
    async def broken() -> None:
        raise AutoReconnect("connection closed")

    @app.post("/storage-gone")
    async def storage_gone() -> None:  # what the minio client raises with MinIO stopped
        raise MaxRetryError(None, "/bucket/object", "127.0.0.1:9000 connection refused")

    @app.post("/rolled-back")
    async def rolled_back() -> None:  # FerretDB's SQLite backend right after a restart
        raise OperationFailure(
            "[msg_update.go:133 handler.(*Handler).updateDocument] sql: transaction has "
            "already been committed or rolled back",
            code=1,
        )

    @app.post("/storage-starting")
    async def storage_starting() -> None:  # MinIO's answer in the first moments after a start
        raise S3Error(
            HTTPResponse(status=503),
            "XMinioServerNotInitialized",
            "Server not initialized yet, please try again.",
            "/documents/t/x",
            "req-1",
            "host-1",
        )

    @app.post("/refused")
    async def refused() -> None:  # a real failure stays a 500
        raise OperationFailure("unknown operator: $foo", code=2)

    return TestClient(app, raise_server_exceptions=False)


def test_database_or_storage_unreachable_answers_503_with_retry_after() -> None:
    client = _failing_app()
    assert client.post("/refused").status_code == 500
    paths = (
        "/no-server",
        "/broken-mid-write",
        "/storage-gone",
        "/storage-starting",
        "/rolled-back",
    )
    for path in paths:
        r = client.post(path)
        assert r.status_code == 503, path
        assert r.headers["content-type"] == "application/problem+json"
        assert int(r.headers["retry-after"]) > 0
        body = r.json()
        assert body["status"] == 503 and "retry" in body["detail"].lower()
        assert "27017" not in body["detail"] and "9000" not in body["detail"]  # in the log only
