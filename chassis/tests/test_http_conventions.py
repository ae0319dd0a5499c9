"""Unit tests of the HTTP conventions every service inherits (no I/O)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError

from chassis.errors import Conflict
from chassis.limits import BodySizeLimit
from chassis.problems import install_problem_handlers
from chassis.settings import DEV_JWKS_FILE, ServiceSettings


class Goal(BaseModel):
    title: str = Field(max_length=20)
    hours: int


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=200)

    @app.post("/goals")
    async def create(goal: Goal) -> Goal:
        return goal

    @app.get("/conflict")
    async def conflict() -> None:
        raise Conflict("mentor is at capacity", field="mentor_id")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return app


client = TestClient(make_app(), raise_server_exceptions=False)


def test_validation_errors_are_problem_json_naming_the_field() -> None:
    response = client.post("/goals", json={"title": "x" * 21})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"title", "hours"}
    assert "title:" in body["detail"] and "hours:" in body["detail"]


def test_domain_problem_keeps_status_detail_and_field() -> None:
    response = client.get("/conflict")
    assert response.status_code == 409
    assert response.json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "mentor is at capacity",
        "instance": "/conflict",
        "field": "mentor_id",
    }


def test_unknown_route_is_problem_json() -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_unexpected_errors_do_not_leak_internals() -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret" not in response.text


def test_oversized_body_is_rejected_with_413_before_parsing() -> None:
    response = client.post("/goals", json={"title": "a", "hours": 1, "pad": "x" * 500})
    assert response.status_code == 413
    assert "200 bytes" in response.json()["detail"]


def test_oversized_chunked_body_is_rejected_too() -> None:
    def chunks():  # no Content-Length: the limit must hold while streaming
        for _ in range(10):
            yield b"x" * 50

    response = client.post("/goals", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_production_refuses_the_public_development_key() -> None:
    with pytest.raises(ValidationError, match="JWKS"):
        ServiceSettings(environment="production", auth_jwks_file=DEV_JWKS_FILE)
    ok = ServiceSettings(
        environment="production",
        auth_jwks_url="https://idp.example/jwks",
        minio_secret_key="s3cret",
    )
    assert ok.auth_jwks_url


def test_topic_and_group_names_are_derived_from_settings() -> None:
    settings = ServiceSettings(
        service_name="matching", topic_prefix="t1.", consumer_group_prefix="run."
    )
    assert settings.topic("profile-changed") == "t1.profile-changed"
    assert settings.group("recommendations") == "run.matching.recommendations"
    assert settings.mongo_db == "matching"
