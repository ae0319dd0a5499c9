"""Unit tests of chassis.http: pagination, Idempotency-Key, ETag/If-Match, documented
problems, per-route body limits (in process, no I/O but an in-memory idempotency store)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Body, Depends, FastAPI, Request, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from pymongo.errors import DuplicateKeyError

from chassis.auth import Principal
from chassis.errors import PreconditionFailed
from chassis.http import (
    Created,
    Cursor,
    ExpectedVersion,
    IdempotencyKey,
    Limit,
    Page,
    RequiredVersion,
    from_app_state,
    idempotent_create,
    limit_query,
    parse_if_match,
    problems,
    set_etag,
)
from chassis.idempotency import IdempotencyStore
from chassis.limits import install_body_limits, larger_body
from chassis.problems import install_problem_handlers

# --------------------------------------------------------------------------- fakes


class FakeCollection:
    """The few collection calls IdempotencyStore makes, in memory."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    async def insert_one(self, doc: dict[str, Any]) -> None:
        if doc["_id"] in self.docs:
            raise DuplicateKeyError("duplicate")
        self.docs[doc["_id"]] = dict(doc)

    async def find_one(self, query: dict[str, Any]) -> dict[str, Any] | None:
        return self.docs.get(query["_id"])

    async def update_one(self, query: dict[str, Any], update: dict[str, Any]) -> None:
        self.docs[query["_id"]].update(update["$set"])

    async def delete_one(self, query: dict[str, Any]) -> None:
        doc = self.docs.get(query["_id"])
        if doc is not None and all(doc.get(k) == v for k, v in query.items()):
            del self.docs[query["_id"]]


class FakeDb(dict[str, FakeCollection]):
    def __missing__(self, name: str) -> FakeCollection:
        self[name] = FakeCollection()
        return self[name]


class Settings(BaseModel):
    max_request_body_bytes: int = 300
    max_import_body_bytes: int = 2_000


class Goal(BaseModel):
    title: str = Field(max_length=100)


class GoalOut(BaseModel):
    goal_id: str
    title: str
    version: int
    note: str | None = None


class Goals:
    """A service object with a versioned aggregate and a create counter."""

    def __init__(self) -> None:
        self.idempotency = IdempotencyStore(FakeDb())  # type: ignore[arg-type]
        self.created = 0
        self.version = 3
        self.started = asyncio.Event()
        self.release: asyncio.Event | None = None

    async def create(self, goal: Goal) -> GoalOut:
        self.created += 1
        if self.release is not None:
            self.started.set()
            await self.release.wait()
        return GoalOut(goal_id=f"g{self.created}", title=goal.title, version=1)

    def edit(self, expected: int | None) -> int:
        if expected is not None and expected != self.version:
            raise PreconditionFailed(f"version {expected} is not current ({self.version})")
        self.version += 1
        return self.version


PRINCIPAL = Principal(user_id="ada", tenant_id="acme", organization_id="acme", roles=set())
Service = Annotated[Goals, Depends(from_app_state("goals"))]
router = APIRouter(prefix="/v1")


@router.post("/goals", status_code=201, response_model=GoalOut, responses=problems(409))
async def create_goal(
    goal: Goal, service: Service, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    async def create() -> Created:
        out = await service.create(goal)
        return Created(out, location=f"/v1/goals/{out.goal_id}", version=out.version)

    return await idempotent_create(
        service.idempotency, request, PRINCIPAL, idempotency_key, goal, create
    )


@router.get("/goals", response_model=Page[GoalOut])
async def list_goals(
    cursor: Cursor = None,
    limit: Limit = 20,
) -> Page[GoalOut]:
    start = int(cursor or 0)
    items = [GoalOut(goal_id=f"g{i}", title="t", version=1) for i in range(start, start + limit)]
    return Page(items=items, next_cursor=str(start + limit) if start + limit < 30 else None)


@router.get("/small")
async def small_pages(limit: Annotated[int, limit_query(5)] = 5) -> dict[str, int]:
    return {"limit": limit}


@router.patch("/goals/g1", responses=problems(404, 412, 428))
async def edit_goal(
    service: Service, response: Response, version: RequiredVersion, goal: Goal
) -> dict[str, int]:
    new = service.edit(version)
    set_etag(response, new)
    return {"version": new}


@router.put("/goals/g1/title", responses=problems(404, 412))
async def retitle_goal(
    service: Service, response: Response, version: ExpectedVersion, goal: Goal
) -> dict[str, int]:
    new = service.edit(version)
    set_etag(response, new)
    return {"version": new}


@router.post(
    "/import",
    openapi_extra={
        **larger_body("max_import_body_bytes"),
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}},
    },
)
async def import_goals(request: Request) -> dict[str, int]:
    return {"received": len(await request.body())}


@router.post("/notes")
async def post_note(text: Annotated[str, Body(embed=True)]) -> dict[str, int]:
    return {"received": len(text)}


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    settings = Settings()
    install_body_limits(app, settings, default=settings.max_request_body_bytes)
    app.state.goals = Goals()
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def goals_of(client: TestClient) -> Goals:
    goals: Goals = client.app.state.goals  # type: ignore[attr-defined]
    return goals


def is_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    if field is not None:
        assert body["field"] == field or field in {e["field"] for e in body.get("errors", [])}
    return body


# --------------------------------------------------------------------------- pagination


def test_page_and_cursor_walk_a_list(client: TestClient) -> None:
    first = client.get("/v1/goals", params={"limit": 20}).json()
    assert len(first["items"]) == 20 and first["next_cursor"] == "20"
    last = client.get("/v1/goals", params={"limit": 20, "cursor": first["next_cursor"]}).json()
    assert len(last["items"]) == 20 and last["next_cursor"] is None


@pytest.mark.parametrize("limit", [0, 101, -1, "ten"])
def test_limit_out_of_bounds_is_422_naming_it(client: TestClient, limit: Any) -> None:
    is_problem(client.get("/v1/goals", params={"limit": limit}), 422, "limit")


def test_a_route_can_have_smaller_pages(client: TestClient) -> None:
    assert client.get("/v1/small", params={"limit": 5}).json() == {"limit": 5}
    is_problem(client.get("/v1/small", params={"limit": 6}), 422, "limit")


def test_cursor_is_bounded(client: TestClient) -> None:
    is_problem(client.get("/v1/goals", params={"cursor": "x" * 501}), 422, "cursor")


# --------------------------------------------------------------------------- idempotency


def test_create_answers_201_with_location_and_etag(client: TestClient) -> None:
    r = client.post("/v1/goals", json={"title": "Learn Rust"})
    assert r.status_code == 201, r.text
    # (fields the view was not given are left out, not shown as null)
    assert r.json() == {"goal_id": "g1", "title": "Learn Rust", "version": 1}
    assert r.headers["Location"] == "/v1/goals/g1" and r.headers["ETag"] == '"1"'


def test_retry_with_the_same_key_returns_the_first_response(client: TestClient) -> None:
    headers = {"Idempotency-Key": "3f1c-retry-1"}
    first = client.post("/v1/goals", json={"title": "Learn Rust"}, headers=headers)
    again = client.post("/v1/goals", json={"title": "Learn Rust"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert goals_of(client).created == 1
    other = client.post(
        "/v1/goals", json={"title": "Learn Rust"}, headers={"Idempotency-Key": "k2"}
    )
    assert other.json()["goal_id"] == "g2"


def test_same_key_with_another_body_is_refused(client: TestClient) -> None:
    headers = {"Idempotency-Key": "k1"}
    assert client.post("/v1/goals", json={"title": "a"}, headers=headers).status_code == 201
    r = client.post("/v1/goals", json={"title": "b"}, headers=headers)
    is_problem(r, 422, "Idempotency-Key")
    assert goals_of(client).created == 1


@pytest.mark.parametrize("key", [" ", "x" * 201, "caf\u00e9", "tab\there", " lead"])
def test_bad_idempotency_keys_are_422_naming_the_header(client: TestClient, key: str) -> None:
    # (on the wire: latin-1 bytes, as a real client would send them)
    headers = [(b"idempotency-key", key.encode("latin-1")), (b"content-type", b"application/json")]
    r = client.post("/v1/goals", content=b'{"title": "a"}', headers=headers)  # type: ignore[arg-type]
    is_problem(r, 422, "Idempotency-Key")
    assert goals_of(client).created == 0


def test_a_retry_while_the_first_runs_is_409() -> None:
    app = make_app()
    goals: Goals = app.state.goals
    goals.release = asyncio.Event()

    async def scenario() -> tuple[int, int]:
        import httpx

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            headers = {"Idempotency-Key": "slow"}
            first = asyncio.create_task(
                http.post("/v1/goals", json={"title": "a"}, headers=headers)
            )
            await goals.started.wait()
            second = await http.post("/v1/goals", json={"title": "a"}, headers=headers)
            assert goals.release is not None
            goals.release.set()
            return (await first).status_code, second.status_code

    assert asyncio.run(scenario()) == (201, 409)


def test_a_failed_create_frees_the_key(client: TestClient) -> None:
    goals = goals_of(client)
    original = goals.create

    async def failing(goal: Goal) -> GoalOut:
        raise PreconditionFailed("not now")

    goals.create = failing  # type: ignore[method-assign]
    headers = {"Idempotency-Key": "again"}
    is_problem(client.post("/v1/goals", json={"title": "a"}, headers=headers), 412)
    goals.create = original  # type: ignore[method-assign]
    assert client.post("/v1/goals", json={"title": "a"}, headers=headers).status_code == 201


# --------------------------------------------------------------------------- ETag / If-Match


def test_if_match_with_the_current_etag_edits_and_answers_the_new_one(client: TestClient) -> None:
    r = client.patch("/v1/goals/g1", json={"title": "a"}, headers={"If-Match": '"3"'})
    assert r.status_code == 200, r.text
    assert r.json() == {"version": 4} and r.headers["ETag"] == '"4"'
    weak = client.patch("/v1/goals/g1", json={"title": "a"}, headers={"If-Match": 'W/"4"'})
    assert weak.status_code == 200 and weak.headers["ETag"] == '"5"'


def test_stale_if_match_is_412(client: TestClient) -> None:
    is_problem(client.patch("/v1/goals/g1", json={"title": "a"}, headers={"If-Match": '"1"'}), 412)
    assert goals_of(client).version == 3


@pytest.mark.parametrize("headers", [{}, {"If-Match": "*"}])
def test_missing_if_match_is_428_where_required(
    client: TestClient, headers: dict[str, str]
) -> None:
    is_problem(client.patch("/v1/goals/g1", json={"title": "a"}, headers=headers), 428, "If-Match")
    assert goals_of(client).version == 3


def test_if_match_is_optional_where_not_required(client: TestClient) -> None:
    r = client.put("/v1/goals/g1/title", json={"title": "a"})
    assert r.status_code == 200 and r.headers["ETag"] == '"4"'


@pytest.mark.parametrize("value", ['"abc"', '"\u00b2"', '"-1"', '"' + "9" * 40 + '"', "x" * 101])
def test_if_match_that_is_not_an_etag_is_422(client: TestClient, value: str) -> None:
    headers = [(b"if-match", value.encode("latin-1")), (b"content-type", b"application/json")]
    r = client.patch("/v1/goals/g1", content=b'{"title": "a"}', headers=headers)  # type: ignore[arg-type]
    is_problem(r, 422, "If-Match")


def test_parse_if_match() -> None:
    assert parse_if_match('"12"', required=True) == 12
    assert parse_if_match(' W/"7" ', required=False) == 7
    assert parse_if_match(None, required=False) is None
    assert parse_if_match("*", required=False) is None


# --------------------------------------------------------------------------- body limits


def test_default_body_limit_applies_to_every_route(client: TestClient) -> None:
    body = is_problem(client.post("/v1/notes", json={"text": "x" * 400}), 413)
    assert "300 bytes" in body["detail"]
    assert client.post("/v1/notes", json={"text": "x" * 100}).json() == {"received": 100}


def test_a_route_may_declare_a_larger_limit(client: TestClient) -> None:
    assert client.post("/v1/import", content=b"x" * 1_500).json() == {"received": 1_500}
    body = is_problem(client.post("/v1/import", content=b"x" * 2_001), 413)
    assert "2000 bytes" in body["detail"]


def test_the_larger_limit_holds_while_streaming(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        for _ in range(30):
            yield b"x" * 100

    is_problem(client.post("/v1/import", content=chunks()), 413)
    is_problem(client.post("/v1/notes", content=chunks()), 413)


def test_a_route_naming_an_unknown_setting_fails_at_startup() -> None:
    app = FastAPI()

    @app.post("/x", openapi_extra=larger_body("max_nothing_bytes"))
    async def x() -> None:
        return None

    with pytest.raises(AttributeError, match="max_nothing_bytes"):
        install_body_limits(app, Settings(), default=10)


# --------------------------------------------------------------------------- OpenAPI


def test_openapi_documents_every_error_as_problem_json(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    create = paths["/v1/goals"]["post"]["responses"]
    assert set(create) == {"201", "409", "413", "422"}
    for status in ("409", "413", "422"):
        (media,) = create[status]["content"]
        assert media == "application/problem+json"
        schema = create[status]["content"][media]["schema"]
        assert schema == {"$ref": "#/components/schemas/ProblemDetails"}
    edit = paths["/v1/goals/g1"]["patch"]["responses"]
    assert {"404", "412", "413", "422", "428"} <= set(edit)
    assert set(paths["/v1/goals"]["get"]["responses"]) == {"200", "422"}  # no body: no 413
    assert paths["/v1/import"]["post"]["x-max-body-bytes"] == 2_000
    assert paths["/v1/notes"]["post"]["x-max-body-bytes"] == 300
    assert "2000 bytes" in paths["/v1/import"]["post"]["responses"]["413"]["description"]
    assert "x-max-body-bytes-setting" not in paths["/v1/import"]["post"]
    schemas = document["components"]["schemas"]
    assert {"ProblemDetails", "FieldError"} <= set(schemas)
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ProblemDetails"]["required"]) == {"title", "status", "detail"}
    # the If-Match header is a documented parameter of the routes that read it
    names = {p["name"] for p in paths["/v1/goals/g1"]["patch"]["parameters"]}
    assert "If-Match" in names


def test_validation_problems_name_the_field(client: TestClient) -> None:
    body = is_problem(client.post("/v1/goals", json={"title": 5}), 422, "title")
    assert body["errors"][0]["field"] == "title"
