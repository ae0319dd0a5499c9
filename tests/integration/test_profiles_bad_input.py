"""Bad input gets a 4xx problem+json naming the problem, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from test_profiles_support import ProfilesClient, problem, profiles_fixture  # noqa: F401

pytestmark = pytest.mark.infra

TRACK = {"key": "track", "label": "Track", "type": "single_choice", "options": ["Backend", "Data"]}
YEARS = {"key": "budget", "label": "Budget", "type": "number", "min_value": 0}


@pytest.mark.parametrize(
    ("changes", "field", "detail"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone"),
        ({"custom_fields": {"shoe_size": 44}}, "custom_fields.shoe_size", "unknown custom field"),
        ({"custom_fields": {"track": 7}}, "custom_fields.track", "must be one of"),
        ({"custom_fields": {"budget": "lots"}}, "custom_fields.budget", "must be a number"),
        ({"headline": "x" * 201}, "headline", "at most 200 characters"),
        ({"bio": "x" * 5001}, "bio", "at most 5000 characters"),
        ({"keywords": [f"k{i}" for i in range(31)]}, "keywords", "at most 30 items"),
        ({"skills": ["x" * 101]}, "skills.0", "at most 100 characters"),
        ({"visibility": {"bio": "everyone"}}, "visibility.bio", "program"),
        ({"favourite_colour": "red"}, "favourite_colour", "Extra inputs"),
        ({"display_name": None}, "display_name", "cannot be cleared"),
    ],
)
async def test_profile_edits_refused_with_a_named_field(
    profiles: ProfilesClient, changes: dict[str, Any], field: str, detail: str
) -> None:
    pid = (await profiles.create_program(custom_fields=[TRACK, YEARS]))["program_id"]
    await profiles.join(pid, "ada", headline="Before")
    events_before = await profiles.service.events.collection.count_documents({})
    r = await profiles.edit(pid, "ada", **changes)
    body = problem(r, 422)
    assert detail in body["detail"], body
    named = body.get("field") or body["errors"][0]["field"]
    assert named == field, body
    assert await profiles.service.events.collection.count_documents({}) == events_before
    me = await profiles.http.get(f"/v1/programs/{pid}/members/me", headers=profiles.auth("ada"))
    assert me.json()["profile"]["headline"] == "Before" and me.headers["ETag"] == '"2"'


async def test_bad_program_definitions(profiles: ProfilesClient) -> None:
    for body, detail in [
        ({"name": ""}, "name"),
        ({"name": "x", "kind": "formal"}, "needs starts_on and ends_on"),
        (
            {"name": "x", "custom_fields": [{"key": "a", "label": "A", "type": "single_choice"}]},
            "needs options",
        ),
        (
            {"name": "x", "custom_fields": [{"key": "Bad Key", "label": "A", "type": "text"}]},
            "custom_fields.0.key",
        ),
        ({"name": "x", "default_capacity": 0}, "default_capacity"),
        ({"name": "x", "modes": ["solo"]}, "modes"),
    ]:
        r = await profiles.http.post("/v1/programs", json=body, headers=profiles.admin())
        assert detail in problem(r, 422)["detail"], (body, r.text)
    listed = await profiles.http.get("/v1/programs", headers=profiles.admin())
    assert listed.json()["items"] == []


async def test_join_problems(profiles: ProfilesClient) -> None:
    pid = (await profiles.create_program(custom_fields=[{**TRACK, "required": True}]))["program_id"]
    url = f"/v1/programs/{pid}/members"
    missing = await profiles.http.post(url, json={"display_name": "A"}, headers=profiles.auth("a"))
    assert problem(missing, 422)["field"] == "custom_fields.track"
    admin_role = await profiles.http.post(
        url, json={"display_name": "A", "roles": ["admin"]}, headers=profiles.auth("a")
    )
    problem(admin_role, 422)
    ok = await profiles.http.post(
        url,
        json={"display_name": "A", "custom_fields": {"track": "Data"}},
        headers=profiles.auth("a"),
    )
    assert ok.status_code == 201
    twice = await profiles.http.post(
        url,
        json={"display_name": "A", "custom_fields": {"track": "Data"}},
        headers=profiles.auth("a"),
    )
    assert "already a member" in problem(twice, 409)["detail"]
    unknown = await profiles.http.post(
        "/v1/programs/pnope/members", json={"display_name": "A"}, headers=profiles.auth("a")
    )
    problem(unknown, 404)


async def test_bad_search_parameters(profiles: ProfilesClient) -> None:
    pid = (await profiles.create_program(custom_fields=[TRACK]))["program_id"]
    await profiles.join(pid, "a")
    url = f"/v1/programs/{pid}/search"
    for params, field in [
        ({"custom": "shoe:42"}, "custom"),
        ({"custom": "nocolon"}, "custom"),
        ({"tz_min": 20}, "tz_min"),
        ({"tz_min": 2, "tz_max": 1}, "tz_max"),
        ({"cursor": "###"}, "cursor"),
        ({"q": "x" * 201}, "q"),
        ({"approved": "false"}, "approved"),
    ]:
        r = await profiles.http.get(url, params=params, headers=profiles.auth("a"))
        body = problem(r, 422)
        assert (body.get("field") or body["errors"][0]["field"]) == field, (params, body)
    outsider = await profiles.http.get(url, headers=profiles.auth("stranger"))
    problem(outsider, 403)
