"""Programs: who creates them, idempotent creation, If-Match updates, program-changed,
partner organizations, and tenant isolation (another tenant's ids answer 404)."""

from __future__ import annotations

import uuid

import pytest
from test_profiles_support import ProfilesClient, events_for, problem, profiles_fixture  # noqa: F401

from testkit.infra import Infra

pytestmark = pytest.mark.infra


async def test_only_org_admins_create_programs(profiles: ProfilesClient) -> None:
    r = await profiles.http.post(
        "/v1/programs", json={"name": "X"}, headers=profiles.auth("mallory", "member")
    )
    assert "org_admin" in problem(r, 403)["detail"]


async def test_idempotency_key_returns_the_first_response(profiles: ProfilesClient) -> None:
    key = uuid.uuid4().hex
    headers = {**profiles.admin(), "Idempotency-Key": key}
    first = await profiles.http.post("/v1/programs", json={"name": "Once"}, headers=headers)
    again = await profiles.http.post("/v1/programs", json={"name": "Once"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    other = await profiles.http.post("/v1/programs", json={"name": "Twice"}, headers=headers)
    assert "different request" in problem(other, 422)["detail"]
    listed = await profiles.http.get("/v1/programs", headers=profiles.admin())
    assert [p["name"] for p in listed.json()["items"]] == ["Once"]


async def test_update_with_if_match_publishes_program_changed(
    profiles: ProfilesClient, infra: Infra
) -> None:
    program = await profiles.create_program(
        name="Women in Tech",
        kind="formal",
        starts_on="2025-01-01",
        ends_on="2099-12-31",
        matching_weights={"skills": 3},
        constraints={"require_shared_language": True},
    )
    pid = program["program_id"]
    url = f"/v1/programs/{pid}"
    ok = await profiles.http.patch(
        url,
        json={"default_capacity": 5, "partner_organization_ids": ["partner-org"]},
        headers={**profiles.admin(), "If-Match": '"1"'},
    )
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"] == '"2"' and ok.json()["default_capacity"] == 5
    stale = await profiles.http.patch(
        url, json={"default_capacity": 7}, headers={**profiles.admin(), "If-Match": '"1"'}
    )
    problem(stale, 412)
    bad = await profiles.http.patch(url, json={"ends_on": "2020-01-01"}, headers=profiles.admin())
    assert "ends_on is before starts_on" in problem(bad, 422)["detail"]
    member = await profiles.join(pid, "m1")
    not_admin = await profiles.http.patch(url, json={"name": "Mine"}, headers=profiles.auth("m1"))
    problem(not_admin, 403)
    assert member["roles"] == ["mentee"]

    mine = await events_for(
        profiles,
        "program-changed",
        pid,
        until=lambda es: {e.data["program_version"] for e in es} >= {1, 2},
    )
    # in order per program (duplicates on the wire are allowed: at-least-once)
    assert list(dict.fromkeys(e.data["program_version"] for e in mine)) == [1, 2]
    assert mine[-1].data["default_capacity"] == 5
    assert mine[-1].data["partner_organization_ids"] == ["partner-org"]
    assert mine[-1].data["matching_weights"] == {"skills": 3.0}
    assert mine[-1].data["constraints"]["require_shared_language"] is True
    assert mine[-1].data["kind"] == "formal" and mine[-1].tenantid == profiles.tenant


async def test_partner_organizations_join_programs_that_admit_them(
    profiles: ProfilesClient,
) -> None:
    open_to_partner = await profiles.create_program(partner_organization_ids=["supplier-1"])
    closed = await profiles.create_program()
    joined = await profiles.join(open_to_partner["program_id"], "sam", org="supplier-1")
    assert joined["organization_id"] == "supplier-1"
    refused = await profiles.http.post(
        f"/v1/programs/{closed['program_id']}/members",
        json={"display_name": "Sam"},
        headers=profiles.auth("sam", org="supplier-1"),
    )
    problem(refused, 404)
    listed = await profiles.http.get("/v1/programs", headers=profiles.auth("sam", org="supplier-1"))
    assert [p["program_id"] for p in listed.json()["items"]] == [open_to_partner["program_id"]]


async def test_another_tenant_gets_404_everywhere(profiles: ProfilesClient) -> None:
    program = await profiles.create_program(
        requires_mentor_approval=True, mentor_questions=[{"key": "why", "text": "Why?"}]
    )
    pid = program["program_id"]
    member = await profiles.join(pid, "ada", headline="Secret project lead")
    applied = await profiles.http.post(
        f"/v1/programs/{pid}/mentor-applications",
        json={"answers": {"why": "because"}},
        headers=profiles.auth("ada"),
    )
    assert applied.status_code == 201
    app_id = applied.json()["application_id"]
    outsider = profiles.auth("eve", "org_admin", tenant="evil-corp")
    for method, url, body in [
        ("GET", f"/v1/programs/{pid}", None),
        ("PATCH", f"/v1/programs/{pid}", {"name": "pwned"}),
        ("POST", f"/v1/programs/{pid}/members", {"display_name": "Eve"}),
        ("GET", f"/v1/programs/{pid}/members/{member['member_id']}", None),
        ("GET", f"/v1/programs/{pid}/members", None),
        ("GET", f"/v1/programs/{pid}/search", None),
        (
            "POST",
            f"/v1/programs/{pid}/mentor-applications/{app_id}/decision",
            {"decision": "approved"},
        ),
        ("POST", f"/v1/programs/{pid}/invitations", {"user_id": "x", "display_name": "X"}),
    ]:
        r = await profiles.http.request(method, url, json=body, headers=outsider)
        assert problem(r, 404)["title"] == "Not found", (method, url)
    listed = await profiles.http.get("/v1/programs", headers=outsider)
    assert listed.json()["items"] == []
    assert (
        await profiles.http.get(
            "/v1/me/memberships", headers=profiles.auth("ada", tenant="evil-corp")
        )
    ).json() == []
