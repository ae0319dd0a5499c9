"""Export and erasure: the tombstone on Kafka, redacted history, nothing left to find."""

from __future__ import annotations

import pytest
from test_profiles_support import ProfilesClient, events_for, profiles_fixture  # noqa: F401

from chassis.eventstore import readable
from testkit.infra import Infra

pytestmark = pytest.mark.infra


async def test_export_then_erase(profiles: ProfilesClient, infra: Infra) -> None:
    one = await profiles.create_program(
        requires_mentor_approval=True, mentor_questions=[{"key": "why", "text": "Why?"}]
    )
    two = await profiles.create_program()
    m1 = await profiles.join(
        one["program_id"], "zoe", bio="Zoe's very personal story", location="Lyon"
    )
    await profiles.join(two["program_id"], "zoe", headline="Zoe the data scientist")
    await profiles.join(two["program_id"], "other", headline="Someone else")
    await profiles.http.post(
        f"/v1/programs/{one['program_id']}/mentor-applications",
        json={"answers": {"why": "my private motivation"}},
        headers={**profiles.auth("zoe"), "Idempotency-Key": "k1"},
    )

    export = await profiles.http.get("/v1/me/export", headers=profiles.auth("zoe"))
    assert export.status_code == 200
    data = export.json()
    assert {m["program_id"] for m in data["memberships"]} == {one["program_id"], two["program_id"]}
    first = next(m for m in data["memberships"] if m["program_id"] == one["program_id"])
    assert first["profile"]["location"] == "Lyon"
    assert first["mentor_applications"][0]["answers"] == {"why": "my private motivation"}
    assert first["history"][0]["type"] == "MemberJoined"

    erased = await profiles.http.post("/v1/me/erasure", headers=profiles.auth("zoe"))
    assert erased.status_code == 200 and len(erased.json()["erased_member_ids"]) == 2

    # nothing personal left in the event store, the read models or the search index
    store = profiles.adapters.events
    commits = await store.collection.find({"stream_id": m1["member_id"]}).to_list()
    raw = str([readable(c) for c in commits])  # events and messages, unpacked
    assert "personal story" not in raw and "private motivation" not in raw and "Lyon" not in raw
    assert await profiles.adapters.idempotency.collection.count_documents({"user_id": "zoe"}) == 0
    doc = await profiles.adapters.read_models.members.find_one({"_id": m1["member_id"]})
    assert doc is not None and doc["status"] == "erased" and doc["views"] is None
    assert [
        r["user_id"]
        for r in (await profiles.search(two["program_id"], "other", q="data scientist"))["results"]
    ] == []
    me = await profiles.http.get(
        f"/v1/programs/{one['program_id']}/members/me", headers=profiles.auth("zoe")
    )
    assert me.status_code == 404
    after = (await profiles.http.get("/v1/me/export", headers=profiles.auth("zoe"))).json()
    assert all(m["status"] == "erased" and m["profile"] == {} for m in after["memberships"])

    events = await events_for(
        profiles,
        "profile-changed",
        m1["member_id"],
        until=lambda es: any(e.data["erased"] for e in es),
    )
    tombstones = [e for e in events if e.data["erased"]]
    assert len(tombstones) == 1
    assert tombstones[0].data["snapshot"] is None

    # the member may come back, starting afresh
    back = await profiles.join(one["program_id"], "zoe", headline="New me")
    assert back["profile"] == {"display_name": "zoe", "headline": "New me", "custom_fields": {}}
