"""A custom field can be hidden (``visibility: {"custom.<key>": ...}``, the documented
format), on joining and through PATCH; a refused request writes nothing (issue 10 #1)."""

from __future__ import annotations

import pytest
from test_profiles_support import ProfilesClient, problem, profiles_fixture  # noqa: F401

pytestmark = pytest.mark.infra

TRACK = {"key": "track", "label": "Track", "type": "single_choice", "options": ["Backend", "Data"]}


async def test_join_with_a_hidden_custom_field(profiles: ProfilesClient) -> None:
    pid = (await profiles.create_program(custom_fields=[TRACK]))["program_id"]
    r = await profiles.http.post(
        f"/v1/programs/{pid}/members",
        json={
            "roles": ["mentee"],
            "display_name": "Ada",
            "custom_fields": {"track": "Backend"},
            "visibility": {"custom.track": "private"},
        },
        headers=profiles.auth("ada"),
    )
    assert r.status_code == 201, r.text
    ada = r.json()
    assert ada["version"] == 2
    assert ada["profile"]["custom_fields"] == {"track": "Backend"}  # she sees her own
    assert ada["visibility"] == {"custom.track": "private"}
    await profiles.join(pid, "bob")
    seen = await profiles.http.get(
        f"/v1/programs/{pid}/members/{ada['member_id']}", headers=profiles.auth("bob")
    )
    assert seen.status_code == 200, seen.text
    assert seen.json()["profile"]["custom_fields"] == {}
    found = await profiles.search(pid, "bob", custom="track:backend")
    assert found["results"] == []  # nor can a search find her by it


async def test_hide_a_custom_field_through_patch(profiles: ProfilesClient) -> None:
    pid = (await profiles.create_program(custom_fields=[TRACK]))["program_id"]
    bob = await profiles.join(pid, "bob", custom_fields={"track": "Data"})
    await profiles.join(pid, "ada")
    r = await profiles.edit(pid, "bob", visibility={"custom.track": "matches"})
    assert r.status_code == 200, r.text
    assert r.json()["visibility"] == {"custom.track": "matches"}
    assert r.headers["ETag"] == '"3"'
    seen = await profiles.http.get(
        f"/v1/programs/{pid}/members/{bob['member_id']}", headers=profiles.auth("ada")
    )
    assert seen.json()["profile"]["custom_fields"] == {}
    back = await profiles.edit(pid, "bob", visibility={"custom.track": "program"})
    assert back.status_code == 200, back.text
    seen = await profiles.http.get(
        f"/v1/programs/{pid}/members/{bob['member_id']}", headers=profiles.auth("ada")
    )
    assert seen.json()["profile"]["custom_fields"] == {"track": "Data"}


async def test_a_refused_join_writes_nothing(profiles: ProfilesClient) -> None:
    pid = (await profiles.create_program(custom_fields=[TRACK]))["program_id"]
    before = await profiles.adapters.events.collection.count_documents({})
    r = await profiles.http.post(
        f"/v1/programs/{pid}/members",
        json={"roles": ["mentee"], "display_name": "Ada", "visibility": {"custom.shoe": "private"}},
        headers=profiles.auth("ada"),
    )
    body = problem(r, 422)
    assert body.get("field") == "visibility.custom.shoe", body
    assert await profiles.adapters.events.collection.count_documents({}) == before
    me = await profiles.http.get(f"/v1/programs/{pid}/members/me", headers=profiles.auth("ada"))
    assert me.status_code == 404
    joined = await profiles.join(pid, "ada", visibility={"custom.track": "private"})
    assert joined["version"] == 2
