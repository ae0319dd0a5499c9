"""Every scheduling operation answers garbage with a 4xx problem+json, never a 500, and
every /v1 operation but the feed (whose URL token is the credential) needs a JWT."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_scheduling_support import Scheduling, hours_ahead, module_service, tenant_view

pytestmark = pytest.mark.infra
served = module_service()
sched = tenant_view()

BODIES: list[Any] = [
    None,
    [],
    "text",
    {"unexpected": True},
    {"timezone": "\ud800", "rules": [{"weekdays": [9], "start": "25:00", "end": "x"}]},
    {"timezone": "Europe/Paris", "rules": [{"weekdays": [1], "start": "10:00", "end": "09:00"}]},
    {"timezone": "../../etc/passwd"},
    {"timezone": "Europe/Paris", "buffer_minutes": -5, "max_per_day": 10**9},
    {"starts_at": "not a time", "duration_minutes": 30, "title": "x"},
    {"starts_at": "2030-01-01T10:00:00", "duration_minutes": 30, "title": "x"},
    {"local_start": "2030-01-01T10:00:00+01:00", "timezone": "UTC", "duration_minutes": 30},
    {"starts_at": "2030-01-01T10:00:00Z", "duration_minutes": 10**12, "title": "x"},
    {"starts_at": "9999-12-31T23:59:00Z", "duration_minutes": 240, "title": "x"},
    {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T09:00:00Z", "title": "t"},
    {"starts_at": "2030-01-01T10:00:00Z", "duration_minutes": 30, "title": "\ud800"},
    {"response": "perhaps"},
    {"reason": "x" * 65, "note": "n" * 5000},
    {"capacity": 0, "title": "x", "starts_at": "2030-01-01T10:00:00Z", "duration_minutes": 5},
]
QUERIES = ["?days=abc&days_back=-1&tz=Not/AZone&duration_minutes=7"]


async def test_garbage_gets_4xx_problems_never_500(sched: Scheduling) -> None:
    s = sched
    match_id = await s.match("mentor-g", "mentee-g")
    await s.available("mentor-g")
    booked = await s.book("mentee-g", match_id, hours_ahead(30))
    meeting_id = booked.json()["meeting_id"]
    ids = {
        "match_id": match_id,
        "meeting_id": meeting_id,
        "program_id": "prog-1",
        "token": "t" * 43,
    }
    paths = s.app.openapi()["paths"]
    tried = 0
    bad_ids = [{k: "x" * 129 for k in ids}, {k: "..%2f..%2f" for k in ids}]
    for path, operations in paths.items():
        if not path.startswith("/v1/"):
            continue
        for method in operations:
            bodies = BODIES if method in ("post", "put") else [None]
            queries = QUERIES if method == "get" else [""]
            cases = [(ids, "mentee-g", body, query) for body in bodies for query in queries]
            cases.append((ids, "stranger", bodies[-1], queries[-1]))
            cases += [(fill, "mentee-g", bodies[-1], "") for fill in bad_ids]
            for fill, who, body, query in cases:
                url = path
                for name, value in fill.items():
                    url = url.replace("{" + name + "}", value)
                response = await s.http.request(
                    method.upper(),
                    url + query,
                    content=json.dumps(body),  # escapes lone surrogates
                    headers={**s.auth(who), "Content-Type": "application/json"},
                )
                tried += 1
                assert response.status_code < 500, (method, url, body, response.text)
                if response.status_code >= 400:
                    assert response.headers["content-type"].startswith(
                        "application/problem+json"
                    ), (method, url, response.text)
    assert tried > 100


async def test_every_operation_but_the_feed_needs_a_token(sched: Scheduling) -> None:
    checked = []
    for path, operations in sched.app.openapi()["paths"].items():
        if not path.startswith("/v1/") or path.startswith("/v1/calendar-feeds/"):
            continue
        url = "/".join("1" if p.startswith("{") else p for p in path.split("/"))
        for method in operations:
            response = await sched.http.request(method.upper(), url, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert "bearer" in response.json()["detail"]
            checked.append(f"{method} {path}")
    assert len(checked) >= 14, checked
