"""Mentor applications: apply, approve or reject with a reason, and what search shows."""

from __future__ import annotations

import pytest
from test_profiles_support import ProfilesClient, events_for, problem, profiles_fixture  # noqa: F401

from testkit.infra import Infra

pytestmark = pytest.mark.infra

QUESTIONS = [
    {"key": "why", "text": "Why do you want to mentor?"},
    {"key": "topics", "text": "Topics?", "required": False},
]


async def test_approval_flow_and_search_visibility(profiles: ProfilesClient, infra: Infra) -> None:
    pid = (
        await profiles.create_program(requires_mentor_approval=True, mentor_questions=QUESTIONS)
    )["program_id"]
    await profiles.join(pid, "mentee-1", headline="Wants to learn Rust")
    pending = await profiles.join(pid, "ada", ["mentor"], headline="Rust expert")
    assert pending["mentor_approved"] is False
    assert (await profiles.search(pid, "mentee-1", q="rust expert", role="mentor"))["results"] == []
    hidden = await profiles.http.get(
        f"/v1/programs/{pid}/members/{pending['member_id']}", headers=profiles.auth("mentee-1")
    )
    problem(hidden, 404)

    url = f"/v1/programs/{pid}/mentor-applications"
    missing = await profiles.http.post(url, json={"answers": {}}, headers=profiles.auth("ada"))
    assert problem(missing, 422)["field"] == "answers.why"
    applied = await profiles.http.post(
        url, json={"answers": {"why": "To give back"}}, headers=profiles.auth("ada")
    )
    assert applied.status_code == 201, applied.text
    app_id = applied.json()["application_id"]
    assert applied.json()["state"] == "submitted"

    mine = await profiles.http.get(f"{url}/mine", headers=profiles.auth("ada"))
    assert [a["state"] for a in mine.json()] == ["submitted"]
    queue = await profiles.http.get(url, headers=profiles.admin())
    assert [m["application"]["application_id"] for m in queue.json()["items"]] == [app_id]
    detail = await profiles.http.get(f"{url}/{app_id}", headers=profiles.admin())
    assert detail.json()["answers"] == {"why": "To give back"}

    not_admin = await profiles.http.post(
        f"{url}/{app_id}/decision", json={"decision": "approved"}, headers=profiles.auth("mentee-1")
    )
    assert "only admins" in problem(not_admin, 403)["detail"]
    self_approve = await profiles.http.post(
        f"{url}/{app_id}/decision", json={"decision": "approved"}, headers=profiles.auth("ada")
    )
    problem(self_approve, 403)

    decided = await profiles.http.post(
        f"{url}/{app_id}/decision",
        json={"decision": "approved", "note": "Welcome!"},
        headers=profiles.admin(),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "approved"
    again = await profiles.http.post(
        f"{url}/{app_id}/decision",
        json={"decision": "rejected", "reason_code": "other"},
        headers=profiles.admin(),
    )
    problem(again, 409)

    mine = await profiles.http.get(f"{url}/mine", headers=profiles.auth("ada"))
    assert mine.json()[-1]["state"] == "approved" and mine.json()[-1]["note"] == "Welcome!"
    found = await profiles.search(pid, "mentee-1", q="rust expert", role="mentor")
    assert [r["member_id"] for r in found["results"]] == [pending["member_id"]]

    decisions = await events_for(
        profiles, "mentor-application-decided", app_id, until=lambda es: len(es) >= 1
    )
    assert len(decisions) == 1 and decisions[0].data["decision"] == "approved"
    assert "note" not in decisions[0].data  # the admin's words stay private


async def test_rejection_needs_a_reason_and_the_applicant_sees_it(
    profiles: ProfilesClient,
) -> None:
    pid = (
        await profiles.create_program(requires_mentor_approval=True, mentor_questions=QUESTIONS)
    )["program_id"]
    await profiles.join(pid, "bo", ["mentor"])
    url = f"/v1/programs/{pid}/mentor-applications"
    app_id = (
        await profiles.http.post(url, json={"answers": {"why": "x"}}, headers=profiles.auth("bo"))
    ).json()["application_id"]
    no_reason = await profiles.http.post(
        f"{url}/{app_id}/decision", json={"decision": "rejected"}, headers=profiles.admin()
    )
    assert problem(no_reason, 422)["field"] == "reason_code"
    rejected = await profiles.http.post(
        f"{url}/{app_id}/decision",
        json={
            "decision": "rejected",
            "reason_code": "insufficient_experience",
            "note": "Try again next year",
        },
        headers=profiles.admin(),
    )
    assert rejected.json()["reason_code"] == "insufficient_experience"
    mine = (await profiles.http.get(f"{url}/mine", headers=profiles.auth("bo"))).json()
    assert mine[-1]["state"] == "rejected" and mine[-1]["note"] == "Try again next year"
    reapplied = await profiles.http.post(
        url, json={"answers": {"why": "more experience"}}, headers=profiles.auth("bo")
    )
    assert reapplied.status_code == 201 and reapplied.json()["application_id"].endswith(".a2")
    assert (await profiles.search(pid, "bo", role="mentor"))["results"] == []


async def test_program_admin_role_can_decide(profiles: ProfilesClient) -> None:
    pid = (await profiles.create_program(requires_mentor_approval=True))["program_id"]
    invited = await profiles.http.post(
        f"/v1/programs/{pid}/invitations",
        json={"user_id": "coordinator", "display_name": "Coord", "roles": ["admin"]},
        headers=profiles.admin(),
    )
    assert invited.status_code == 201, invited.text
    await profiles.join(pid, "cy")
    url = f"/v1/programs/{pid}/mentor-applications"
    app_id = (await profiles.http.post(url, json={}, headers=profiles.auth("cy"))).json()[
        "application_id"
    ]
    decided = await profiles.http.post(
        f"{url}/{app_id}/decision",
        json={"decision": "approved"},
        headers=profiles.auth("coordinator"),
    )
    assert decided.status_code == 200, decided.text
    me = (
        await profiles.http.get(f"/v1/programs/{pid}/members/me", headers=profiles.auth("cy"))
    ).json()
    assert me["roles"] == ["mentee", "mentor"] and me["mentor_approved"] is True
