"""Bulk import from CSV and JSON: per-row report, whole-file refusals, searchable results."""

from __future__ import annotations

import pytest
from test_profiles_support import ProfilesClient, problem, profiles_fixture  # noqa: F401

pytestmark = pytest.mark.infra

CSV = """user_id,display_name,roles,skills,timezone,years_experience,custom.track
u1,Ada Lovelace,mentor,Python;Compilers,Europe/London,20,Backend
u2,Bob,mentee,Marketing,Mars/Base,3,Data
u3,Cy,mentee,Go,UTC,lots,Data
u4,Dee
u5,Eve,mentee,Go,UTC,2,Astrology
u1,Ada Again,mentee,,UTC,1,Data
u6,Fay,mentee;mentor,SQL;Go,America/Chicago,7,data
"""


async def test_csv_import_reports_each_rejected_row(profiles: ProfilesClient) -> None:
    pid = (
        await profiles.create_program(
            custom_fields=[
                {
                    "key": "track",
                    "label": "Track",
                    "type": "single_choice",
                    "options": ["Backend", "Data"],
                }
            ]
        )
    )["program_id"]
    url = f"/v1/programs/{pid}/members/import"
    headers = {**profiles.admin(), "Content-Type": "text/csv"}
    dry = await profiles.http.post(
        url, content=CSV.encode(), headers=headers, params={"dry_run": "true"}
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["created"] == 0
    assert await _joined_events(profiles) == 0

    r = await profiles.http.post(url, content=CSV.encode(), headers=headers)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["received"], report["created"], report["rejected"]) == (7, 2, 5)
    by_row = {row["row"]: row for row in report["rows"]}
    assert by_row[1]["status"] == "created" and by_row[7]["status"] == "created"
    assert by_row[2]["errors"][0]["field"] == "timezone"
    assert by_row[3]["errors"][0]["field"] == "years_experience"
    assert "columns" in by_row[4]["errors"][0]["message"]
    assert by_row[5]["errors"][0]["field"] == "custom_fields.track"
    assert by_row[6]["errors"][0]["message"] == "duplicate of row 1"

    again = await profiles.http.post(url, content=CSV.encode(), headers=headers)
    assert again.json()["created"] == 0
    assert {
        row["errors"][0]["message"] for row in again.json()["rows"] if row["row"] in (1, 7)
    } == {"already a member of this program"}

    found = await profiles.search(pid, "u6", q="compilers")
    assert [hit["user_id"] for hit in found["results"]] == ["u1"]
    listed = await profiles.http.get(f"/v1/programs/{pid}/members", headers=profiles.admin())
    assert sorted(m["user_id"] for m in listed.json()["items"]) == ["u1", "u6"]


async def test_unreadable_files_write_nothing(profiles: ProfilesClient) -> None:
    pid = (await profiles.create_program())["program_id"]
    url = f"/v1/programs/{pid}/members/import"
    latin1 = "user_id,display_name\nu1,Zoë\n".encode("latin-1")
    r = await profiles.http.post(
        url, content=latin1, headers={**profiles.admin(), "Content-Type": "text/csv"}
    )
    assert "not UTF-8" in problem(r, 422)["detail"]
    r = await profiles.http.post(
        url, content=b"{not json", headers={**profiles.admin(), "Content-Type": "application/json"}
    )
    assert "not valid JSON" in problem(r, 422)["detail"]
    r = await profiles.http.post(
        url, content=b"x", headers={**profiles.admin(), "Content-Type": "image/png"}
    )
    assert problem(r, 422)["field"] == "Content-Type"
    r = await profiles.http.post(
        url,
        content=b"user_id,display_name\nu1,A\n",
        headers={**profiles.auth("nobody"), "Content-Type": "text/csv"},
    )
    problem(r, 403)
    assert await _joined_events(profiles) == 0


async def test_json_import(profiles: ProfilesClient) -> None:
    pid = (await profiles.create_program(partner_organization_ids=["partner"]))["program_id"]
    r = await profiles.http.post(
        f"/v1/programs/{pid}/members/import",
        json={
            "members": [
                {
                    "user_id": "p1",
                    "display_name": "Partner person",
                    "organization_id": "partner",
                    "roles": ["mentor"],
                    "expertise": ["Supply chains"],
                },
                {"user_id": "p2", "display_name": "Stranger", "organization_id": "elsewhere"},
            ]
        },
        headers=profiles.admin(),
    )
    report = r.json()
    assert report["created"] == 1 and report["rows"][1]["errors"][0]["field"] == "organization_id"


async def _joined_events(profiles: ProfilesClient) -> int:
    """MemberJoined events in the service's event store (however its commits are stored)."""
    return len([e async for e in profiles.adapters.events.all_events() if e.type == "MemberJoined"])
