"""The vertical slice on real Kafka and FerretDB: program -> join -> edit -> event -> search."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from test_profiles_support import ProfilesClient, problem, profiles_fixture  # noqa: F401

from chassis.telemetry import capture_spans
from mentorship_contracts.envelope import from_kafka
from mentorship_contracts.events.profiles import ProfileChangedV1
from testkit.events import read_topic
from testkit.infra import Infra

pytestmark = pytest.mark.infra


async def test_join_edit_publish_and_search(profiles: ProfilesClient, infra: Infra) -> None:
    spans = capture_spans()
    program = await profiles.create_program(
        modes="both",
        custom_fields=[
            {
                "key": "track",
                "label": "Track",
                "type": "single_choice",
                "options": ["Backend", "Frontend", "Data"],
            }
        ],
    )
    pid = program["program_id"]
    assert program["modes"] == ["one_to_one", "group"] and program["version"] == 1

    joined = await profiles.join(pid, "ada", ["mentor"], display_name="Ada Lovelace")
    assert joined["version"] == 2 and joined["roles"] == ["mentor"]
    await profiles.join(pid, "bob", ["mentee"], headline="Marketing lead", bio="Loves brands")

    me = await profiles.http.get(f"/v1/programs/{pid}/members/me", headers=profiles.auth("ada"))
    assert me.headers["ETag"] == '"2"'
    with trace.get_tracer("test").start_as_current_span("client") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
        edited = await profiles.http.patch(
            f"/v1/programs/{pid}/members/me",
            json={
                "headline": "Distributed systems architect",
                "bio": "I mentor engineers on Kubernetes and cloud architectures.",
                "timezone": "Europe/Paris",
                "languages": ["en", "fr"],
                "skills": ["Python", "Kubernetes"],
                "years_experience": 15,
                "custom_fields": {"track": "backend"},
                "visibility": {"bio": "program", "location": "private"},
                "location": "Paris",
            },
            headers={**profiles.auth("ada"), "If-Match": me.headers["ETag"]},
        )
    assert edited.status_code == 200, edited.text
    assert edited.headers["ETag"] == '"3"'
    body = edited.json()
    assert body["profile"]["custom_fields"] == {"track": "Backend"}
    assert body["visibility"]["location"] == "private"

    records = await read_topic(
        infra.kafka_bootstrap,
        profiles.app.state.runtime.settings.topic("profile-changed"),
        expect=3,
    )
    events = [from_kafka(r.value or b"", r.headers) for r in records]
    mine = [e for e in events if e.tenantid == profiles.tenant and e.data["profile_version"] == 3]
    assert len(mine) == 1
    event = mine[0]
    payload = ProfileChangedV1.model_validate(event.data)
    assert payload.member_id == joined["member_id"] and event.subject == joined["member_id"]
    assert payload.snapshot is not None
    assert payload.snapshot.skills == ["Python", "Kubernetes"]
    assert payload.snapshot.timezone == "Europe/Paris"
    assert payload.mentor_approved is True
    assert set(payload.changed_fields) >= {"headline", "bio", "skills", "custom:track"}
    assert "location" not in payload.snapshot.model_dump()  # not a snapshot field at all
    assert event.traceparent is not None
    # the request's trace reaches the event (the relay's publish span is in the same trace)
    request_spans = [
        s for s in spans.get_finished_spans() if format(s.context.trace_id, "032x") == trace_id
    ]
    assert any(s.name.startswith("PATCH /v1/programs") for s in request_spans)
    stored = await profiles.adapters.events.load(joined["member_id"])
    assert stored[-1].traceparent and trace_id in stored[-1].traceparent
    assert any(s.name == "profile-changed publish" for s in request_spans)

    found = await profiles.search(pid, "bob", q="kubernets architect")  # typo + stemming
    assert [r["member_id"] for r in found["results"]] == [joined["member_id"]]
    hit = found["results"][0]
    assert hit["profile"]["headline"] == "Distributed systems architect"
    assert "location" not in hit["profile"]  # private

    filtered = await profiles.search(
        pid, "bob", role="mentor", languages="fr", tz_min=0, tz_max=3, custom="track:backend"
    )
    assert [r["member_id"] for r in filtered["results"]] == [joined["member_id"]]
    none = await profiles.search(pid, "bob", role="mentor", tz_min=-8, tz_max=-4)
    assert none["results"] == []


async def test_stale_if_match_is_412_and_writes_nothing(profiles: ProfilesClient) -> None:
    pid = (await profiles.create_program())["program_id"]
    await profiles.join(pid, "cy")
    me = await profiles.http.get(f"/v1/programs/{pid}/members/me", headers=profiles.auth("cy"))
    first = await profiles.http.patch(
        f"/v1/programs/{pid}/members/me",
        json={"headline": "one"},
        headers={**profiles.auth("cy"), "If-Match": me.headers["ETag"]},
    )
    assert first.status_code == 200
    stale = await profiles.http.patch(
        f"/v1/programs/{pid}/members/me",
        json={"headline": "two"},
        headers={**profiles.auth("cy"), "If-Match": me.headers["ETag"]},
    )
    body = problem(stale, 412)
    assert "current version is 3" in body["detail"]
    missing = await profiles.http.patch(
        f"/v1/programs/{pid}/members/me", json={"headline": "three"}, headers=profiles.auth("cy")
    )
    problem(missing, 428)
    now = await profiles.http.get(f"/v1/programs/{pid}/members/me", headers=profiles.auth("cy"))
    assert now.json()["profile"]["headline"] == "one" and now.headers["ETag"] == '"3"'
