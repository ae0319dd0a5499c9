"""The matching journey on real Kafka and FerretDB: profiles arrive as events, explained
recommendations appear and follow profile edits, a request is accepted and a match made."""

from __future__ import annotations

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


async def test_recommendations_come_with_explanations(matching: Matching) -> None:
    await matching.program(constraints={"require_shared_language": True})
    await matching.member("ada", ["mentor"], **python_mentor(languages=["en", "fr"]))
    await matching.member("grace", ["mentor"], **design_mentor())
    await matching.member("sam", ["mentee"], **python_mentee(languages=["fr"]))
    await matching.projected("ada", "grace", "sam")

    ids = await matching.wait_recommended("sam", lambda ids: len(ids) == 1)
    # grace shares no language with sam (fr only), and the program requires one
    assert ids == ["m-ada"]
    await matching.member("sam", ["mentee"], languages=["fr", "en"])
    ids = await matching.wait_recommended("sam", lambda ids: len(ids) == 2)
    assert ids == ["m-ada", "m-grace"]

    body = await matching.recommendations("sam")
    assert body["status"] == "ready"
    # computed from sam's edited profile (issue 10 #4)
    assert body["mentee_profile_version"] == matching.members["sam"].version == 2
    top = body["items"][0]
    assert top["display_name"] == "Ada" and top["mentor_user_id"] == "user-ada"
    explanation = top["explanation"]
    assert explanation["shared"]["skills"] == ["Kubernetes", "Python"]
    assert "French" in explanation["shared"]["languages"]
    assert "shares: Kubernetes, Python" in explanation["summary"]
    assert "both speak" in explanation["summary"]
    contributions = {c["criterion"]: c for c in explanation["contributions"]}
    assert contributions["skills"]["value"] == pytest.approx(2 / 3, abs=1e-3)
    assert sum(c["contribution"] for c in contributions.values()) == pytest.approx(
        top["score"], abs=1e-3
    )
    assert "semantic" in contributions  # the MiniLM criterion took part
    assert top["score"] > body["items"][1]["score"]


async def test_a_profile_edit_re_ranks_without_any_call(matching: Matching) -> None:
    await matching.program(kind="informal")
    await matching.member("ada", ["mentor"], **python_mentor())
    await matching.member("grace", ["mentor"], **design_mentor())
    await matching.member("sam", ["mentee"], **python_mentee())
    await matching.wait_recommended("sam", lambda ids: ids[:1] == ["m-ada"] and len(ids) == 2)

    # the mentee changes direction: design instead of cloud
    await matching.member(
        "sam",
        ["mentee"],
        goals=["user research", "UX"],
        interests=["design systems"],
        industry="Retail",
        job_function="Design",
        bio="I want to become a product designer.",
    )
    assert await matching.wait_recommended("sam", lambda ids: ids[:1] == ["m-grace"])

    # a mentor edit moves them too: grace stops mentoring (role dropped) -> gone from the list
    await matching.member("grace", ["mentee"])
    assert await matching.wait_recommended("sam", lambda ids: ids == ["m-ada"])


async def test_request_accept_makes_a_match_on_kafka(matching: Matching) -> None:
    await matching.program()
    await matching.member("ada", ["mentor"], **python_mentor())
    await matching.member("sam", ["mentee"], **python_mentee())
    await matching.wait_recommended("sam", lambda ids: ids == ["m-ada"])

    asked = await matching.ask("sam", "ada", "I'd love help with Kubernetes.")
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "open" and request["mentor_id"] == "m-ada"
    assert asked.headers["location"] == f"/v1/requests/{request['request_id']}"

    # the mentor sees it in their inbox, with the note
    inbox = await matching.http.get(
        f"/v1/programs/{matching.program_id}/requests",
        params={"role": "mentor", "status": "open"},
        headers=matching.auth("ada"),
    )
    assert [r["request_id"] for r in inbox.json()["items"]] == [request["request_id"]]
    # who asks and what they wrote, without a call per request
    listed = inbox.json()["items"][0]
    assert listed["other_display_name"] == "Sam"
    assert listed["message"] == "I'd love help with Kubernetes."
    seen = await matching.http.get(
        f"/v1/requests/{request['request_id']}", headers=matching.auth("ada")
    )
    assert seen.json()["message"] == "I'd love help with Kubernetes."

    accepted = await matching.act("ada", request["request_id"], "accept")
    assert accepted.status_code == 200, accepted.text
    match = accepted.json()["match"]
    assert accepted.json()["status"] == "accepted" and match["status"] == "active"

    made = await matching.wait_topic("match-made", lambda evs: len(evs) >= 1)
    assert len(made) == 1
    data = made[0].data
    assert data["match_id"] == match["match_id"]
    assert data["mentor"] == {"member_id": "m-ada", "user_id": "user-ada"}
    assert data["mentees"] == [{"member_id": "m-sam", "user_id": "user-sam"}]
    assert data["origin"] == "request" and data["request_id"] == request["request_id"]
    assert 0 < data["score"] <= 1
    requested = await matching.wait_topic("mentorship-requested", lambda evs: len(evs) >= 1)
    assert "message" not in requested[0].data  # the note is private to the two
    responded = await matching.wait_topic("mentorship-responded", lambda evs: len(evs) >= 1)
    assert responded[0].data["response"] == "accepted"
    assert responded[0].data["match_id"] == match["match_id"]

    # both sides see the mentorship; the recommendation is marked as matched
    for who in ("ada", "sam"):
        mine = await matching.http.get(
            f"/v1/programs/{matching.program_id}/matches", headers=matching.auth(who)
        )
        assert [m["match_id"] for m in mine.json()["items"]] == [match["match_id"]]
    recs = await matching.recommendations("sam")
    assert recs["items"][0]["match_id"] == match["match_id"]
    assert recs["items"][0]["mentor_last_active_at"] is not None

    # either side ends it, with a reason
    ended = await matching.http.post(
        f"/v1/matches/{match['match_id']}/end",
        json={"reason": "completed"},
        headers=matching.auth("sam"),
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended" and ended.json()["ended_by"] == "mentee"
    done = await matching.wait_topic("mentorship-ended", lambda evs: len(evs) >= 1)
    assert done[0].data["reason"] == "completed" and done[0].data["ended_by"] == "mentee"
    again = await matching.http.post(
        f"/v1/matches/{match['match_id']}/end", json={}, headers=matching.auth("ada")
    )
    assert again.status_code == 409
