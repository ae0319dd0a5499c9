"""A match enables booking; the booking is announced, shows in both zones, moves, is
cancelled; a mentorship that ends cancels what is still to come; erasure removes a member."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
from test_scheduling_support import Scheduling, hours_ahead, module_service, tenant_view

from mentorship_contracts.envelope import from_kafka
from mentorship_contracts.events.profiles import ProfileChangedV1
from testkit.events import eventually, read_topic
from testkit.infra import Infra

pytestmark = pytest.mark.infra
served = module_service()
sched = tenant_view()


async def _records(infra: Infra, s: Scheduling, topic: str, meeting_id: str) -> list[Any]:
    name = s.app.state.runtime.settings.topic(topic)
    records = await read_topic(infra.kafka_bootstrap, name, expect=10_000, timeout=3)
    return [r for r in records if r.key == meeting_id.encode()]


async def test_a_match_enables_booking_and_the_meeting_lives(
    sched: Scheduling, infra: Infra
) -> None:
    s = sched
    start = hours_ahead(30)
    # not matched yet: nothing to book
    early = await s.book("mentee-a", "match-unknown", start)
    assert early.status_code == 404, early.text
    match_id = await s.match("mentor-a", "mentee-a")
    no_rules = await s.book("mentee-a", match_id, start)
    assert no_rules.status_code == 409 and "availability" in no_rules.json()["detail"]
    await s.available("mentor-a", buffer_minutes=15, timezone="Europe/Paris")
    await s.available("mentee-a", timezone="America/Toronto")

    slots = await s.http.get(
        f"/v1/matches/{match_id}/slots?days=3&tz=America/Toronto", headers=s.auth("mentee-a")
    )
    assert slots.status_code == 200, slots.text
    body = slots.json()
    assert body["timezone"] == "America/Toronto" and body["mentee_has_availability"]
    assert body["slots"] and body["slots"][0]["local_start"].endswith(("-05:00", "-04:00"))

    booked = await s.book("mentee-a", match_id, start)
    assert booked.status_code == 201, booked.text
    meeting = booked.json()
    assert meeting["status"] == "confirmed" and meeting["video_url"].startswith("https://meet")
    meeting_id = meeting["meeting_id"]
    # the buffer: a meeting 10 minutes after the end is refused
    again = await s.book("mentee-a", match_id, start + timedelta(minutes=70))
    assert again.status_code == 409 and "buffer" in again.json()["detail"]
    # someone else's token sees nothing
    other = await s.http.get(f"/v1/meetings/{meeting_id}", headers=s.auth("stranger"))
    assert other.status_code == 404

    moved = await s.http.post(
        f"/v1/meetings/{meeting_id}/reschedule",
        json={
            "starts_at": (start + timedelta(hours=3)).isoformat(),
            "duration_minutes": 45,
            "reason": "conflict",
        },
        headers={**s.auth("mentor-a"), "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["sequence"] == 1
    stale = await s.http.post(
        f"/v1/meetings/{meeting_id}/cancel",
        json={"reason": "other"},
        headers={**s.auth("mentee-a"), "If-Match": '"1"'},
    )
    assert stale.status_code == 412, stale.text
    invite = await s.http.get(f"/v1/meetings/{meeting_id}/invite.ics", headers=s.auth("mentee-a"))
    event = icalendar.Calendar.from_ical(invite.content).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("dtstart").timestamp() == (start + timedelta(hours=3)).timestamp()

    cancelled = await s.http.post(
        f"/v1/meetings/{meeting_id}/cancel",
        json={"reason": "attendee_cancelled", "note": "ill"},
        headers=s.auth("mentee-a"),
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    invite = await s.http.get(f"/v1/meetings/{meeting_id}/invite.ics", headers=s.auth("mentee-a"))
    cal = icalendar.Calendar.from_ical(invite.content)
    assert str(cal["METHOD"]) == "CANCEL"
    # the freed time is bookable again
    rebooked = await s.book("mentee-a", match_id, start)
    assert rebooked.status_code == 201, rebooked.text

    booked_records = await _records(infra, s, "meeting-booked", meeting_id)
    sequences = sorted(json.loads(r.value)["sequence"] for r in booked_records)
    assert sequences == [0, 1]
    cancelled_records = await _records(infra, s, "meeting-cancelled", meeting_id)
    assert len(cancelled_records) == 1
    data = json.loads(cancelled_records[0].value)
    assert (
        data["reason"] == "attendee_cancelled" and "ill" not in cancelled_records[0].value.decode()
    )
    envelope = from_kafka(booked_records[0].value, booked_records[0].headers)
    assert envelope.tenantid == s.tenant


async def test_an_ended_mentorship_cancels_meetings_to_come(
    sched: Scheduling, infra: Infra
) -> None:
    s = sched
    match_id = await s.match("mentor-b", "mentee-b")
    await s.available("mentor-b")
    first = await s.book("mentee-b", match_id, hours_ahead(24))
    second = await s.book("mentee-b", match_id, hours_ahead(48))
    assert first.status_code == second.status_code == 201
    await s.end(match_id, "mentor-b", "mentee-b")

    async def all_cancelled() -> bool:
        mine = await s.http.get("/v1/me/meetings?days=10", headers=s.auth("mentee-b"))
        return [m["status"] for m in mine.json()] == ["cancelled", "cancelled"]

    await eventually(all_cancelled, timeout=60)
    late = await s.book("mentee-b", match_id, hours_ahead(72))
    assert late.status_code == 409 and "ended" in late.json()["detail"]
    records = await _records(infra, s, "meeting-cancelled", first.json()["meeting_id"])
    assert json.loads(records[0].value)["reason"] == "mentorship_ended"


async def test_claims_left_behind_by_a_crash_are_taken_over(sched: Scheduling) -> None:
    """A claim whose meeting was never recorded blocks the time only for a while."""
    s = sched
    match_id = await s.match("mentor-c", "mentee-c")
    await s.available("mentor-c")
    start = hours_ahead(26)
    quantum = int(start.timestamp()) // 300
    claims = s.app.state.runtime.db["claims"]
    fresh = {"_id": f"{s.tenant}|mentor-c|t{quantum + 2}", "owner": "crashed-1"}
    await claims.insert_one({**fresh, "at": datetime.now(UTC)})
    blocked = await s.book("mentee-c", match_id, start)
    assert blocked.status_code == 409 and "just booked" in blocked.json()["detail"]
    await claims.update_one(
        {"_id": fresh["_id"]}, {"$set": {"at": datetime.now(UTC) - timedelta(hours=1)}}
    )
    taken = await s.book("mentee-c", match_id, start)
    assert taken.status_code == 201, taken.text
    doc = await claims.find_one({"_id": fresh["_id"]})
    assert doc is not None and doc["owner"] == taken.json()["meeting_id"]


async def test_an_erased_member_leaves_every_meeting(sched: Scheduling, infra: Infra) -> None:
    s = sched
    pair = await s.match("mentor-e", "mentee-e")
    group = await s.match("mentor-e", "mentee-e", "mentee-f", mode="group")
    await s.available("mentor-e")
    await s.available("mentee-e", timezone="Asia/Kolkata")
    one = await s.book("mentee-e", pair, hours_ahead(30))
    session = await s.http.post(
        f"/v1/matches/{group}/sessions",
        json={"starts_at": hours_ahead(50).isoformat(), "duration_minutes": 60, "title": "Group"},
        headers=s.auth("mentor-e"),
    )
    assert one.status_code == session.status_code == 201, session.text
    feed = await s.http.post("/v1/me/calendar-feed", headers=s.auth("mentee-e"))
    await s.publish(
        ProfileChangedV1(
            tenant_id=s.tenant,
            program_id="prog-1",
            member_id="m-mentee-e",
            user_id="mentee-e",
            organization_id=s.tenant,
            profile_version=2,
            roles=[],
            mentor_approved=False,
            erased=True,
            snapshot=None,
        ),
        "m-mentee-e",
    )

    async def gone() -> bool:
        meetings = await s.http.get("/v1/me/meetings?days=10", headers=s.auth("mentee-e"))
        return meetings.json() == []

    await eventually(gone, timeout=60)
    pair_meeting = await s.http.get(
        f"/v1/meetings/{one.json()['meeting_id']}", headers=s.auth("mentor-e")
    )
    assert pair_meeting.json()["status"] == "cancelled"
    group_meeting = await s.http.get(
        f"/v1/meetings/{session.json()['meeting_id']}", headers=s.auth("mentor-e")
    )
    assert group_meeting.json()["status"] == "confirmed"
    assert group_meeting.json()["invited_user_ids"] == ["mentee-f"]
    availability = await s.http.get("/v1/me/availability", headers=s.auth("mentee-e"))
    assert availability.status_code == 404
    path = feed.json()["url"].split("8005", 1)[1]
    assert (await s.http.get(path)).status_code == 410
