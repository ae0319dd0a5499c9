"""Bad input gets a clear 4xx problem+json, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from test_matching_support import (  # noqa: F401
    Matching,
    matching_fixture,
    matching_server,
    python_mentee,
    python_mentor,
)

from testkit.events import eventually

pytestmark = pytest.mark.infra


async def _events(matching: Matching) -> int:
    events = matching.app.state.runtime.events.collection
    return int(await events.count_documents({"tenant_id": matching.tenant}))


def _problem(response: Any, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    for word in words:
        assert word in body["detail"], body
    return body


@pytest.fixture
async def ready(matching: Matching) -> Matching:
    await matching.program()
    await matching.member("ada", ["mentor"], **python_mentor(capacity=1))
    await matching.member("bob", ["mentor"], **python_mentor())
    await matching.member("sam", ["mentee"], **python_mentee())
    await matching.member("kim", ["mentee"], **python_mentee())
    await matching.member("max", ["mentor", "mentee"], **python_mentor())
    await matching.member("new", ["mentor"], approved=False, **python_mentor())
    await matching.projected("ada", "bob", "sam", "kim", "max", "new")
    await matching.program_projected()
    return matching


async def test_requests_that_cannot_be(ready: Matching) -> None:
    m = ready
    before = await _events(m)
    # outside one's programs: the program is not theirs, or the mentor is not in it
    other = await m.http.post(
        "/v1/programs/prog-2/requests",
        json={"mentor_id": "m-ada", "message": "hi"},
        headers=m.auth("sam"),
    )
    _problem(other, 404, "program not found")
    stranger = await m.http.post(
        f"/v1/programs/{m.program_id}/requests",
        json={"mentor_id": "m-someone-else", "message": "hi"},
        headers=m.auth("sam"),
    )
    assert _problem(stranger, 404, "mentor not found")["field"] == "mentor_id"
    # oneself
    _problem(await m.ask("max", "max"), 422, "yourself")
    # an unapproved mentor is invisible to mentees (issue 10 #3): as if not there
    unapproved = _problem(await m.ask("sam", "new"), 404, "mentor not found")
    assert unapproved["field"] == "mentor_id"
    # not a mentee
    _problem(await m.ask("bob", "ada"), 403, "mentees")
    # invalid bodies name the field
    too_long = await m.http.post(
        f"/v1/programs/{m.program_id}/requests",
        json={"mentor_id": "m-ada", "message": "x" * 2001},
        headers=m.auth("sam"),
    )
    assert _problem(too_long, 422)["errors"][0]["field"] == "message"
    unknown = await m.http.post(
        f"/v1/programs/{m.program_id}/requests",
        json={"mentor_id": "m-ada", "message": "hi", "user_id": "someone"},
        headers=m.auth("sam"),
    )
    _problem(unknown, 422, "user_id")
    assert await _events(m) == before


async def test_an_unapproved_mentor_is_explained_as_pending_or_rejected(ready: Matching) -> None:
    m = ready
    url = f"/v1/programs/{m.program_id}/mentors/m-new/explanation"

    async def exclusions() -> list[str]:
        r = await m.http.get(url, params={"mentee_id": "m-sam"}, headers=m.admin())
        assert r.status_code == 200, r.text
        assert r.json()["feasible"] is False
        return list(r.json()["explanation"]["exclusions"])

    assert "mentor is not approved in this program" in await exclusions()
    await m.application("new", 1)
    await eventually(lambda: _says(exclusions, "waiting for approval"))
    await m.application("new", 1, "rejected")
    await eventually(lambda: _says(exclusions, "application rejected"))
    await m.application("new", 2)  # applying again: pending again
    await eventually(lambda: _says(exclusions, "waiting for approval"))
    # still invisible to mentees
    mentee_view = await m.http.get(url, headers=m.auth("sam"))
    _problem(mentee_view, 404, "mentor not found")


async def _says(exclusions: Any, words: str) -> bool:
    return any(words in text for text in await exclusions())


async def test_duplicates_capacity_and_closed_requests(ready: Matching) -> None:
    m = ready
    first = await m.ask("sam", "ada")
    assert first.status_code == 201
    request_id = first.json()["request_id"]
    before = await _events(m)
    _problem(await m.ask("sam", "ada"), 409, "already have an open request")
    # only the mentor answers, only the mentee withdraws
    _problem(await m.act("sam", request_id, "accept"), 403, "mentor")
    _problem(await m.act("ada", request_id, "withdraw"), 403, "mentee")
    # a stranger in the program, and another tenant, get 404
    _problem(await m.act("kim", request_id, "accept"), 404)
    elsewhere = await m.http.get(
        f"/v1/requests/{request_id}", headers=m.auth("ada", tenant="other-tenant")
    )
    _problem(elsewhere, 404)
    assert await _events(m) == before

    # withdrawn: can no longer be accepted
    assert (await m.act("sam", request_id, "withdraw")).status_code == 200
    _problem(await m.act("ada", request_id, "accept"), 409, "withdrawn")

    # at capacity: ada takes one mentee
    second = await m.ask("kim", "ada")
    assert (await m.act("ada", second.json()["request_id"], "accept")).status_code == 200
    before = await _events(m)
    _problem(await m.ask("sam", "ada"), 409, "capacity")
    assert await _events(m) == before


async def test_an_expired_request_cannot_be_accepted(ready: Matching) -> None:
    m = ready
    asked = await m.ask("sam", "bob")
    request_id = asked.json()["request_id"]
    m.service.clock.shift(73 * 3600)  # the program gives mentors 72 h
    try:
        refused = await m.act("bob", request_id, "accept")
    finally:
        m.service.clock.shift(-73 * 3600)
    _problem(refused, 409, "expired")
    doc = await m.http.get(f"/v1/requests/{request_id}", headers=m.auth("sam"))
    assert doc.json()["status"] == "expired"
    made = await m.wait_topic("mentorship-responded", lambda evs: len(evs) >= 1)
    assert [(e.data["response"], e.data["reason"]) for e in made] == [("declined", "expired")]


async def test_only_admins_run_rounds(ready: Matching) -> None:
    m = ready
    await m.program(kind="formal")
    await m.program_projected()
    body: dict[str, list[Any]] = {"pinned": [], "forbidden": []}
    refused = await m.http.post(
        f"/v1/programs/{m.program_id}/rounds", json=body, headers=m.auth("sam")
    )
    _problem(refused, 403, "admin")
    listing = await m.http.get(f"/v1/programs/{m.program_id}/rounds", headers=m.admin())
    assert listing.json() == {"items": []}
    elsewhere = await m.http.post(
        f"/v1/programs/{m.program_id}/rounds",
        json=body,
        headers=m.auth("org-admin", "org_admin", tenant="other-tenant"),
    )
    _problem(elsewhere, 404)


async def test_idempotency_key_replays_the_first_answer(ready: Matching) -> None:
    m = ready
    headers = {**m.auth("kim"), "Idempotency-Key": "ask-bob-1"}
    body = {"mentor_id": "m-bob", "message": "hello"}
    url = f"/v1/programs/{m.program_id}/requests"
    first = await m.http.post(url, json=body, headers=headers)
    again = await m.http.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["request_id"] == again.json()["request_id"]
    assert again.headers["idempotent-replayed"] == "true"
    changed = await m.http.post(url, json={**body, "message": "other"}, headers=headers)
    _problem(changed, 422, "Idempotency-Key")


async def test_every_endpoint_needs_a_token(ready: Matching) -> None:
    m = ready
    for method, url in [
        ("GET", f"/v1/programs/{m.program_id}/recommendations"),
        ("POST", f"/v1/programs/{m.program_id}/requests"),
        ("GET", "/v1/requests/r1"),
        ("POST", "/v1/requests/r1/accept"),
        ("POST", f"/v1/programs/{m.program_id}/rounds"),
        ("GET", f"/v1/programs/{m.program_id}/matches"),
    ]:
        response = await m.http.request(method, url)
        _problem(response, 401, "bearer")
