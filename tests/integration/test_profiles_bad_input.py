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
    events_before = await profiles.adapters.events.collection.count_documents({})
    r = await profiles.edit(pid, "ada", **changes)
    body = problem(r, 422)
    assert detail in body["detail"], body
    named = body.get("field") or body["errors"][0]["field"]
    assert named == field, body
    assert await profiles.adapters.events.collection.count_documents({}) == events_before
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
    ]:
        r = await profiles.http.get(url, params=params, headers=profiles.auth("a"))
        body = problem(r, 422)
        assert (body.get("field") or body["errors"][0]["field"]) == field, (params, body)
    outsider = await profiles.http.get(url, headers=profiles.auth("stranger"))
    problem(outsider, 403)


async def test_only_admins_list_unapproved_mentors(profiles: ProfilesClient) -> None:
    """A mentee asking for unapproved mentors is told why (403), not that the input is bad."""
    pid = (await profiles.create_program())["program_id"]
    await profiles.join(pid, "a")
    url = f"/v1/programs/{pid}/search"
    r = await profiles.http.get(url, params={"approved": "false"}, headers=profiles.auth("a"))
    body = problem(r, 403)
    assert body["detail"] == "only admins of this program can list unapproved mentors"
    assert body.get("field") == "approved"
    admin = await profiles.http.get(url, params={"approved": "false"}, headers=profiles.admin())
    assert admin.status_code == 200, admin.text


# --- found by fuzzing and probing the API (tests/contract): each was a 500 ------------------

NOTES = {"key": "notes", "label": "Notes", "type": "text"}


def _json(headers: dict[str, str]) -> dict[str, str]:
    """Headers to send a raw JSON body (its ``\\ud800`` escapes reach the server as sent)."""
    return {**headers, "Content-Type": "application/json"}


async def _events(profiles: ProfilesClient) -> int:
    return int(await profiles.adapters.events.collection.count_documents({}))


@pytest.mark.parametrize("etag", [b'"\xb2"', b"\xb9", b'"1\xb2"', b'W/"\xb3"'])
async def test_if_match_with_digits_that_are_not_ascii(
    profiles: ProfilesClient, etag: bytes
) -> None:
    """'²' passes str.isdigit() but not int(): it was a 500 on every If-Match route."""
    pid = (await profiles.create_program())["program_id"]
    member = await profiles.join(pid, "ada")
    before = await _events(profiles)
    for method, url, body, auth in [
        ("PATCH", f"/v1/programs/{pid}/members/me", {"headline": "x"}, profiles.auth("ada")),
        ("PATCH", f"/v1/programs/{pid}", {"name": "Renamed"}, profiles.admin()),
        (
            "PUT",
            f"/v1/programs/{pid}/members/{member['member_id']}/roles",
            {"roles": ["mentor"]},
            profiles.admin(),
        ),
    ]:
        headers = [*((k.encode(), v.encode()) for k, v in auth.items()), (b"If-Match", etag)]
        r = await profiles.http.request(method, url, json=body, headers=headers)
        body_out = problem(r, 422)
        assert body_out["field"] == "If-Match" and "not an ETag" in body_out["detail"], r.text
    assert await _events(profiles) == before


async def test_unpaired_surrogates_are_refused_naming_the_field(profiles: ProfilesClient) -> None:
    r"""A lone "\ud800" escape is valid JSON but not Unicode: UTF-8, BSON and Kafka cannot
    carry it. In a text custom field it broke the published profile snapshot (500); in an
    unknown setting's name it broke the rendering of the 422 itself (500)."""
    pid = (await profiles.create_program(custom_fields=[NOTES]))["program_id"]
    await profiles.join(pid, "ada")
    before = await _events(profiles)
    lone = b'"x\\ud800"'

    joined = await profiles.http.post(
        f"/v1/programs/{pid}/members",
        content=b'{"display_name": "Bo", "custom_fields": {"notes": ' + lone + b"}}",
        headers=_json(profiles.auth("bo")),
    )
    invited = await profiles.http.post(
        f"/v1/programs/{pid}/invitations",
        content=b'{"user_id": "cy", "display_name": "Cy", "custom_fields": {"notes": '
        + lone
        + b"}}",
        headers=_json(profiles.admin()),
    )
    me = await profiles.http.get(f"/v1/programs/{pid}/members/me", headers=profiles.auth("ada"))
    edited = await profiles.http.patch(
        f"/v1/programs/{pid}/members/me",
        content=b'{"custom_fields": {"notes": ' + lone + b"}}",
        headers={**_json(profiles.auth("ada")), "If-Match": me.headers["ETag"]},
    )
    for r in (joined, invited, edited):
        body = problem(r, 422)
        assert body["field"] == "custom_fields.notes", body
        assert "unpaired surrogate" in body["detail"], body

    setting = await profiles.http.patch(
        f"/v1/programs/{pid}", content=b'{"\\udfff": 1}', headers=_json(profiles.admin())
    )
    body = problem(setting, 422)
    assert body["field"] == "\\udfff" and "unknown program setting" in body["detail"], body
    assert await _events(profiles) == before

    fine = await profiles.http.patch(  # a surrogate *pair* is just an emoji
        f"/v1/programs/{pid}/members/me",
        content=b'{"custom_fields": {"notes": "\\ud83d\\ude00"}}',
        headers={**_json(profiles.auth("ada")), "If-Match": me.headers["ETag"]},
    )
    assert fine.status_code == 200, fine.text
    assert fine.json()["profile"]["custom_fields"]["notes"] == "\U0001f600"


@pytest.mark.parametrize(
    ("body", "field", "detail"),
    [
        (b'{"members": [{"user_id": "\\ud800"}]}', "members.0.user_id", "unpaired surrogate"),
        (
            b'{"members": [{"user_id": "u1", "custom_fields": {"notes": "\\udc00"}}]}',
            "members.0.custom_fields.notes",
            "unpaired surrogate",
        ),
        (b'{"members": [' + b"[" * 5000 + b"]" * 5000 + b"]}", "body", "nests deeper than"),
        (
            b'{"members": [{"user_id": "u1", "years_experience": 1' + b"0" * 5000 + b"}]}",
            "body",
            "integer longer than",
        ),
        (b'{"members": [{"user_id": "\xff"}]}', "body", "not UTF-8"),
    ],
    ids=["surrogate-user-id", "surrogate-custom", "deep-nesting", "huge-integer", "not-utf8"],
)
async def test_json_imports_python_cannot_read_are_refused(
    profiles: ProfilesClient, body: bytes, field: str, detail: str
) -> None:
    """These reached json.loads / member_id_for unguarded: RecursionError, ValueError (int
    digits limit), UnicodeEncodeError, all 500s; now the whole file is refused, nothing written."""
    pid = (await profiles.create_program(custom_fields=[NOTES]))["program_id"]
    before = await _events(profiles)
    for dry_run in ("true", "false"):
        r = await profiles.http.post(
            f"/v1/programs/{pid}/members/import",
            content=body,
            params={"dry_run": dry_run},
            headers=_json(profiles.admin()),
        )
        out = problem(r, 422)
        assert out["field"] == field and detail in out["detail"], out
    assert await _events(profiles) == before
