"""Tenant isolation and roles for every route of every running service, read from the
services' own OpenAPI documents (a new route is covered the day it is added), and tenant
checks for every topic a running service consumes.

For each operation, path parameters are filled with real ids of tenant A's world and the
body is the smallest valid instance of its schema (faultkit/samples.py), so the request
reaches the service's checks:

* the same user id, with admin roles, from tenant B gets 404 (problem+json) wherever the
  route names a thing, and answers without a path id carry none of tenant A's ids;
* a member of the program without the route's role gets 403 wherever the route documents
  403, except where written below (the member may do it, or may not even see the thing);
* every topic a service consumes: an event whose payload tenant differs from its envelope
  ``tenantid`` is dead-lettered by every consumer group of that topic, never applied.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from faultkit.checker import read_topics
from faultkit.samples import sample

from chassis.devtokens import mint_token
from testkit.apps import ServiceProcess, run_services
from testkit.infra import Infra, storage_profile

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

SERVICES = ("profiles", "matching")
METHODS = ("get", "post", "put", "patch", "delete")
SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"

#: Routes documenting 403 that the plain member (a mentee of the program, party to nothing)
#: may call, or that name a thing the member may not see: the answer they get instead.
#: Every other route documenting 403 must answer 403 to them.
PLAIN_MEMBER = {
    ("get", "/v1/programs/{program_id}/recommendations"): 200,  # their own
    ("post", "/v1/programs/{program_id}/requests"): 201,  # a mentee asks a mentor
    ("get", "/v1/programs/{program_id}/requests"): 200,  # their own requests
    ("get", "/v1/programs/{program_id}/matches"): 200,  # their own mentorships
    ("post", "/v1/programs/{program_id}/groups/{group_id}/requests"): 201,  # ask to join
    # someone else's request or mentorship: not visible to them at all
    ("post", "/v1/requests/{request_id}/accept"): 404,
    ("post", "/v1/requests/{request_id}/decline"): 404,
    ("post", "/v1/requests/{request_id}/ask-info"): 404,
    ("post", "/v1/requests/{request_id}/info"): 404,
    ("post", "/v1/requests/{request_id}/withdraw"): 404,
    ("post", "/v1/matches/{match_id}/end"): 404,
}
#: Bodies the smallest schema instance cannot stand for (a free-form body, a real id).
BODIES: dict[tuple[str, str], Any] = {
    ("post", "/v1/programs/{program_id}/members/import"): {"members": []},
    ("post", "/v1/programs/{program_id}/requests"): {"mentor_id": "{mentor_id}", "message": "Hi"},
}
#: Query parameters that make a route ask for what only the role may see.
ROLE_QUERY = {
    ("get", "/v1/programs/{program_id}/search"): {"approved": "false"},
    ("get", "/v1/programs/{program_id}/mentors/{mentor_id}/explanation"): {"mentee_id": ""},
}


@dataclass
class TenantA:
    tenant: str
    ids: dict[str, str] = field(default_factory=dict)  # path parameter -> value
    members: dict[str, str] = field(default_factory=dict)

    def auth(self, user: str, *roles: str, tenant: str | None = None) -> dict[str, str]:
        token = mint_token(user, tenant or self.tenant, roles=list(roles) or ["member"])
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def services(
    infra: Infra, topic_prefix: str, run_id: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ServiceProcess]]:
    envs = {}
    for name in SERVICES:
        p = name.upper()
        envs[name] = {
            f"{p}_ENVIRONMENT": "test",
            f"{p}_MONGO_URL": infra.mongo_url,
            f"{p}_MONGO_DB": f"test_isolation_{run_id}_{uuid.uuid4().hex[:6]}_{name}",
            f"{p}_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
            f"{p}_TOPIC_PREFIX": topic_prefix,
            f"{p}_CONSUMER_GROUP_PREFIX": f"{run_id}.iso{uuid.uuid4().hex[:4]}.",
            f"{p}_STORAGE_PROFILE": storage_profile(),
            f"{p}_MINIO_ENDPOINT": infra.minio_endpoint,
        }
    envs["profiles"]["PROFILES_PROJECTOR_POLL_SECONDS"] = "0.5"
    envs["matching"]["MATCHING_EMBEDDINGS_ENABLED"] = "false"
    with run_services(
        envs, tmp_path_factory.mktemp("isolation-logs"), ready_timeout=900
    ) as running:
        yield running


def _ok(r: httpx.Response, *codes: int) -> dict[str, Any]:
    assert r.status_code in (codes or (200, 201)), f"{r.request.method} {r.request.url}: {r.text}"
    return r.json()


@pytest.fixture(scope="module")
def world(services: dict[str, ServiceProcess]) -> TenantA:
    """Tenant A: a program, a mentor, mentees, a match, a pending request, a group, a
    round with a run, a mentor application; a plain mentee who is party to none of it."""
    a = TenantA(f"tenant-{uuid.uuid4().hex[:8]}")
    profiles, matching = services["profiles"].url, services["matching"].url
    with httpx.Client(timeout=30) as http:
        pid = _ok(
            http.post(
                f"{profiles}/v1/programs",
                json={
                    "name": "Isolation",
                    "kind": "formal",
                    "modes": ["one_to_one", "group"],
                    "max_group_size": 5,
                    "starts_on": date.today().isoformat(),
                    "ends_on": (date.today() + timedelta(days=90)).isoformat(),
                    "requires_mentor_approval": True,
                },
                headers=a.auth("boss", "org_admin"),
            )
        )["program_id"]
        a.ids["program_id"] = pid
        for user, roles, extra in (
            ("mo", ["mentor"], {"capacity": 5, "accepting_mentees": True, "skills": ["Go"]}),
            ("ed", ["mentee"], {"goals": ["Go"]}),
            ("eve", ["mentee"], {"goals": ["Go"]}),
            ("ann", ["mentee"], {}),
            ("pat", ["mentee"], {}),
        ):
            body = {"roles": roles, "display_name": user.title(), "languages": ["en"], **extra}
            a.members[user] = _ok(
                http.post(f"{profiles}/v1/programs/{pid}/members", json=body, headers=a.auth(user))
            )["member_id"]
        a.ids |= {"member_id": a.members["ed"], "mentor_id": a.members["mo"]}
        # mo applies to mentor and the admin approves: then matching may show him
        applied = http.post(
            f"{profiles}/v1/programs/{pid}/mentor-applications", json={}, headers=a.auth("mo")
        )
        if applied.status_code == 409:  # joining as a mentor already applied
            applied = http.get(
                f"{profiles}/v1/programs/{pid}/mentor-applications/mine", headers=a.auth("mo")
            )
        a.ids["application_id"] = _ok(applied)["application_id"]
        _ok(
            http.post(
                f"{profiles}/v1/programs/{pid}/mentor-applications/{a.ids['application_id']}/decision",
                json={"decision": "approved"},
                headers=a.auth("boss", "org_admin"),
            )
        )
        deadline = time.monotonic() + 90
        while (
            http.get(
                f"{matching}/v1/programs/{pid}/mentors/{a.members['mo']}", headers=a.auth("ed")
            ).status_code
            != 200
        ):
            assert time.monotonic() < deadline, "matching never learnt of the mentor"
            time.sleep(0.3)

        def ask(mentee: str) -> str:
            for _ in range(100):  # until matching has projected the mentee too
                r = http.post(
                    f"{matching}/v1/programs/{pid}/requests",
                    json={"mentor_id": a.members["mo"], "message": "Please?"},
                    headers=a.auth(mentee),
                )
                if r.status_code != 404:
                    return str(_ok(r)["request_id"])
                time.sleep(0.3)
            raise AssertionError(r.text)

        accepted = _ok(
            http.post(f"{matching}/v1/requests/{ask('ed')}/accept", headers=a.auth("mo"))
        )
        a.ids["match_id"] = accepted["match"]["match_id"]
        a.ids["request_id"] = ask("eve")
        group_doc = _openapi_body(http, matching, "post", "/v1/programs/{program_id}/groups")
        a.ids["group_id"] = _ok(
            http.post(f"{matching}/v1/programs/{pid}/groups", json=group_doc, headers=a.auth("mo"))
        )["group_id"]
        round_doc = _openapi_body(http, matching, "post", "/v1/programs/{program_id}/rounds")
        round_id = _ok(
            http.post(
                f"{matching}/v1/programs/{pid}/rounds",
                json=round_doc,
                headers=a.auth("boss", "org_admin"),
            )
        )["round_id"]
        a.ids["round_id"] = round_id
        run = _ok(
            http.post(
                f"{matching}/v1/programs/{pid}/rounds/{round_id}/runs",
                json={},
                headers=a.auth("boss", "org_admin"),
            )
        )
        a.ids["run"] = str(run.get("run", 1))
    return a


def _openapi(http: httpx.Client, url: str) -> dict[str, Any]:
    return http.get(f"{url}/openapi.json").json()


def _openapi_body(http: httpx.Client, url: str, method: str, path: str) -> Any:
    doc = _openapi(http, url)
    return _body(doc, doc["paths"][path][method])


def _request_body(
    doc: dict[str, Any], operation: dict[str, Any], method: str, path: str, ids: dict[str, str]
) -> Any:
    if (method, path) in BODIES:
        return json.loads(json.dumps(BODIES[method, path]).replace("{mentor_id}", ids["mentor_id"]))
    return _body(doc, operation)


def _headers(base: dict[str, str], method: str) -> dict[str, str]:
    """Edits carry an If-Match, so they reach the checks behind the precondition."""
    return {**base, "If-Match": '"1"'} if method in ("patch", "put") else base


def _body(doc: dict[str, Any], operation: dict[str, Any]) -> Any:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return sample(content["application/json"]["schema"], doc["components"]["schemas"])


def _operations(
    services: dict[str, ServiceProcess],
) -> Iterator[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
    with httpx.Client(timeout=30) as http:
        for svc in services.values():
            doc = _openapi(http, svc.url)
            for path, item in doc["paths"].items():
                for method in METHODS:
                    operation = item.get(method)
                    if operation and operation.get("security"):  # the probes are public
                        yield svc.url, method, path, operation, doc


def _url(base: str, path: str, ids: dict[str, str]) -> str:
    names = [p.split("}")[0] for p in path.split("{")[1:]]
    missing = [n for n in names if n not in ids]
    assert not missing, f"{path}: no id for {missing} in the world; add one to the fixture"
    return base + path.format(**ids)


def test_another_tenant_gets_404_and_none_of_the_data(
    services: dict[str, ServiceProcess], world: TenantA
) -> None:
    secrets = {
        s for s in (world.tenant, *world.ids.values(), *world.members.values()) if len(s) > 8
    }
    stranger = world.auth("boss", "org_admin", "member", tenant=f"tenant-{uuid.uuid4().hex[:8]}")
    wrong, checked = [], 0
    with httpx.Client(timeout=30) as http:
        for base, method, path, operation, doc in _operations(services):
            body = _request_body(doc, operation, method, path, world.ids)
            r = http.request(
                method, _url(base, path, world.ids), json=body, headers=_headers(stranger, method)
            )
            checked += 1
            if "{" in path:
                if r.status_code != 404 or not r.headers["content-type"].startswith(
                    "application/problem+json"
                ):
                    wrong.append(f"{method.upper()} {path}: {r.status_code} {r.text[:150]}")
            elif r.status_code >= 500 or any(s in r.text for s in secrets):
                wrong.append(f"{method.upper()} {path}: {r.status_code} leaks {r.text[:150]}")
    assert checked > 40
    assert not wrong, f"{len(wrong)} of {checked} routes:\n" + "\n".join(wrong)


def test_a_member_without_the_role_gets_403(
    services: dict[str, ServiceProcess], world: TenantA
) -> None:
    plain = world.auth("pat")
    wrong, checked = [], 0
    with httpx.Client(timeout=30) as http:
        for base, method, path, operation, doc in _operations(services):
            if "403" not in operation.get("responses", {}):
                continue
            params = dict(ROLE_QUERY.get((method, path), {}))
            if "mentee_id" in params:
                params["mentee_id"] = world.members["ed"]
            r = http.request(
                method,
                _url(base, path, world.ids),
                json=_request_body(doc, operation, method, path, world.ids),
                params=params,
                headers=_headers(plain, method),
            )
            checked += 1
            expected = PLAIN_MEMBER.get((method, path), 403)
            if r.status_code != expected:
                wrong.append(
                    f"{method.upper()} {path}: expected {expected}, got {r.status_code} {r.text[:150]}"
                )
    assert checked > 15
    assert not wrong, f"{len(wrong)} of {checked} routes:\n" + "\n".join(wrong)


async def test_consumers_drop_events_of_another_tenant(
    services: dict[str, ServiceProcess], world: TenantA, infra: Infra, topic_prefix: str
) -> None:
    """A real event of tenant A, sent again under tenant B's envelope: every consumer group
    of the topic parks it on the dead-letter topic with a tenant error, applies nothing."""
    consumed: dict[str, set[str]] = {}  # topic -> services consuming it
    async with httpx.AsyncClient(timeout=10) as http:
        for name, svc in services.items():
            doc = (await http.get(f"{svc.url}/asyncapi.json")).json()
            for op in doc.get("operations", {}).values():
                if op.get("action") == "receive":
                    topic = op["channel"]["$ref"].rsplit("/", 1)[-1]
                    consumed.setdefault(topic, set()).add(name)
    assert consumed
    real = await read_topics(infra.kafka_bootstrap, topic_prefix, consumed)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    sent: dict[str, str] = {}
    forged_from_real: set[str] = set()
    try:
        for topic in consumed:
            mine = [e for e in real.get(topic, []) if e["tenantid"] == world.tenant]
            if mine:
                forged_from_real.add(topic)
            headers, value, key = _forged(topic, mine[0] if mine else None)
            await producer.send_and_wait(topic_prefix + topic, value, key=key, headers=headers)
            sent[topic] = dict(headers)["ce_id"].decode()
    finally:
        await producer.stop()
    deadline = time.monotonic() + 90
    missing: dict[str, str] = {}
    while time.monotonic() < deadline:
        dead = await read_topics(
            infra.kafka_bootstrap, topic_prefix, [f"{t}.dlq" for t in consumed]
        )
        missing = {}
        for topic, event_id in sent.items():
            parked = [e for e in dead.get(f"{topic}.dlq", []) if e["id"] == event_id]
            groups = {e["headers"].get("dlq-consumer") for e in parked}
            if len(groups) < len(consumed[topic]):
                missing[topic] = f"parked by {sorted(groups)}, consumed by {consumed[topic]}"
            elif topic in forged_from_real and not all(
                "tenant" in e["headers"].get("dlq-error", "") for e in parked
            ):
                missing[topic] = f"parked for another reason: {parked[0]['headers']}"
        if not missing:
            break
        await asyncio.sleep(1)
    assert not missing, f"not dropped by every consumer: {missing}"


def _forged(
    topic: str, event: dict[str, Any] | None
) -> tuple[list[tuple[str, bytes]], bytes, bytes]:
    """A tenant-A payload under another tenant's envelope (a fresh event id)."""
    if event is not None:
        data = event["data"]
        event_type = event["type"]
    else:  # no real event of this topic in the run: the smallest valid payload
        schema = json.loads((SCHEMAS / f"{topic}.v1.json").read_text())
        data = sample(schema, schema.get("$defs", {}))
        data["tenant_id"] = "tenant-a"
        event_type = schema.get("x-event-type", topic)
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", uuid.uuid4().hex.encode()),
        ("ce_source", b"/isolation-test"),
        ("ce_type", event_type.encode()),
        ("ce_time", b"2026-01-01T00:00:00Z"),
        ("ce_tenantid", f"tenant-{uuid.uuid4().hex[:8]}".encode()),
        ("ce_dataversion", b"1"),
        ("content-type", b"application/json"),
    ]
    return headers, json.dumps(data).encode(), b"forged"
