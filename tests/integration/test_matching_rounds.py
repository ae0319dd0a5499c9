"""Bulk matching rounds of a formal program: run, re-run (deterministic), pin/forbid,
publish (each pair becomes match-made), and what a round will not do."""

from __future__ import annotations

from typing import Any

import pytest
from test_matching_support import (  # noqa: F401
    Matching,
    design_mentor,
    matching_fixture,
    matching_server,
    python_mentee,
    python_mentor,
)

pytestmark = pytest.mark.infra


@pytest.fixture
async def cohort(matching: Matching) -> Matching:
    m = matching
    await m.program(
        kind="formal", default_capacity=1, constraints={"require_shared_language": True}
    )
    await m.member("ada", ["mentor"], **python_mentor())
    await m.member("bob", ["mentor"], **python_mentor(capacity=2, skills=["Python", "Go"]))
    await m.member("grace", ["mentor"], **design_mentor())
    await m.member("sam", ["mentee"], **python_mentee())
    await m.member("kim", ["mentee"], **python_mentee(goals=["Go", "Python"]))
    await m.member("joe", ["mentee"], **python_mentee(goals=["Kubernetes"]))
    await m.member(
        "lee",
        ["mentee"],
        goals=["user research", "UX"],
        industry="Retail",
        job_function="Design",
        years_experience=1,
    )
    await m.member("zed", ["mentee"], languages=["ja"], **python_mentee())
    await m.projected("ada", "bob", "grace", "sam", "kim", "joe", "lee", "zed")
    await m.program_projected()
    await m.settled()
    return m


def _pairs(run: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p["mentor_id"], p["mentee_id"]) for p in run["result"]["matches"]}


async def _run(m: Matching, url: str, **body: Any) -> dict[str, Any]:
    response = await m.http.post(url, json=body, headers=m.admin())
    assert response.status_code == 201, response.text
    return response.json()


async def test_round_runs_reruns_and_publishes(cohort: Matching) -> None:
    m = cohort
    base = f"/v1/programs/{m.program_id}/rounds"
    first = await _run(m, base)
    round_id = first["round_id"]
    result = first["result"]
    assert first["run"] == 1 and result["optimal"]
    assert len(result["matches"]) == 4  # 1 + 2 + 1 slots
    assert _pairs(first) >= {("m-grace", "m-lee")}
    for pair in result["matches"]:
        assert pair["explanation"]["summary"] and pair["explanation"]["contributions"]
    assert result["unmatched"] == [
        {
            "mentee_id": "m-zed",
            "reason_code": "no_feasible_mentor",
            "reason": "no feasible mentor: no shared language with any mentor with free capacity",
        }
    ]
    assert [x["member_id"] for x in first["inputs"]["mentees"]] == [
        "m-joe",
        "m-kim",
        "m-lee",
        "m-sam",
        "m-zed",
    ]

    # same inputs, same result
    again = await _run(m, f"{base}/{round_id}/runs")
    assert again["run"] == 2
    assert again["input_digest"] == first["input_digest"]
    assert again["result_digest"] == first["result_digest"]
    assert _pairs(again) == _pairs(first)

    # the admin pins and forbids pairs and runs again
    pinned = {"mentor_id": "m-ada", "mentee_id": "m-kim"}
    forbidden = {"mentor_id": "m-bob", "mentee_id": "m-sam"}
    third = await _run(m, f"{base}/{round_id}/runs", pinned=[pinned], forbidden=[forbidden])
    assert ("m-ada", "m-kim") in _pairs(third) and ("m-bob", "m-sam") not in _pairs(third)
    assert next(p for p in third["result"]["matches"] if p["mentee_id"] == "m-kim")["pinned"]
    assert third["input_digest"] != first["input_digest"]

    # every run is kept with its inputs
    kept = await m.http.get(f"{base}/{round_id}", headers=m.admin())
    assert [r["run"] for r in kept.json()["runs"]] == [1, 2, 3]
    run_two = await m.http.get(f"{base}/{round_id}/runs/2", headers=m.admin())
    assert run_two.json()["input_digest"] == first["input_digest"]

    # a pin the round can't honour is refused, and nothing is stored
    bad = await m.http.post(
        f"{base}/{round_id}/runs",
        json={"pinned": [{"mentor_id": "m-grace", "mentee_id": "m-zed"}]},
        headers=m.admin(),
    )
    assert bad.status_code == 422, bad.text
    assert "not feasible" in bad.json()["detail"]
    unknown = await m.http.post(
        f"{base}/{round_id}/runs",
        json={"pinned": [{"mentor_id": "m-nobody", "mentee_id": "m-sam"}]},
        headers=m.admin(),
    )
    assert unknown.status_code == 422 and "not available" in unknown.json()["detail"]
    kept = await m.http.get(f"{base}/{round_id}", headers=m.admin())
    assert len(kept.json()["runs"]) == 3

    # publish run 3: each pair becomes a match on Kafka
    published = await m.http.post(f"{base}/{round_id}/publish", json={"run": 3}, headers=m.admin())
    assert published.status_code == 200, published.text
    assert published.json()["skipped"] == []
    assert {(p["mentor_id"], p["mentee_id"]) for p in published.json()["published"]} == _pairs(
        third
    )
    # bob may not take sam and ada is pinned to kim: sam stays unmatched this time
    assert len(_pairs(third)) == 3
    assert {u["mentee_id"] for u in third["result"]["unmatched"]} == {"m-sam", "m-zed"}
    made = await m.wait_topic("match-made", lambda evs: len(evs) >= 3)
    assert {(e.data["mentor"]["member_id"], e.data["mentees"][0]["member_id"]) for e in made} == (
        _pairs(third)
    )
    assert {e.data["origin"] for e in made} == {"bulk_round"}
    assert {e.data["round_id"] for e in made} == {round_id}

    twice = await m.http.post(f"{base}/{round_id}/publish", json={}, headers=m.admin())
    assert twice.status_code == 409
    rerun_published = await m.http.post(f"{base}/{round_id}/runs", json={}, headers=m.admin())
    assert rerun_published.status_code == 409

    # the next round only sees who is still unmatched, and mentors with room
    nxt = await _run(m, base)
    assert [x["member_id"] for x in nxt["inputs"]["mentees"]] == ["m-sam", "m-zed"]
    assert [x["member_id"] for x in nxt["inputs"]["mentors"]] == ["m-bob"]
    assert _pairs(nxt) == {("m-bob", "m-sam")}  # a new round starts without vetoes


async def test_rounds_are_for_formal_programs(matching: Matching) -> None:
    await matching.program(kind="informal")
    await matching.program_projected()
    response = await matching.http.post(
        f"/v1/programs/{matching.program_id}/rounds", json={}, headers=matching.admin()
    )
    assert response.status_code == 409 and "formal" in response.json()["detail"]


async def test_a_program_admin_member_may_run_rounds(cohort: Matching) -> None:
    m = cohort
    await m.member("pat", ["admin"])
    await m.projected("pat")
    response = await m.http.post(
        f"/v1/programs/{m.program_id}/rounds", json={}, headers=m.auth("pat")
    )
    assert response.status_code == 201, response.text
