"""Calendar feeds list the member's meetings and nobody else's; a revoked feed is gone;
group sessions hold their capacity under concurrent RSVPs; video links only for attendees."""

from __future__ import annotations

import asyncio
from collections import Counter

import icalendar
import pytest
from test_scheduling_support import Scheduling, hours_ahead, module_service, tenant_view

from testkit.events import eventually, profile_changed

pytestmark = pytest.mark.infra
served = module_service()
sched = tenant_view()


async def test_the_feed_lists_my_meetings_only_and_revoking_ends_it(sched: Scheduling) -> None:
    s = sched
    mine = await s.match("mentor-f", "mentee-f")
    theirs = await s.match("mentor-g", "mentee-g")
    await s.available("mentor-f", timezone="Asia/Tokyo")
    await s.available("mentor-g")
    a = await s.book("mentee-f", mine, hours_ahead(20))
    b = await s.book("mentee-f", mine, hours_ahead(44), title="Second chat")
    c = await s.book("mentee-g", theirs, hours_ahead(20))
    assert a.status_code == b.status_code == c.status_code == 201
    created = await s.http.post("/v1/me/calendar-feed", headers=s.auth("mentee-f"))
    assert created.status_code == 201
    feed = created.json()
    assert feed["webcal_url"].startswith("webcal://")
    path = feed["url"].split("8005", 1)[1]
    read = await s.http.get(path)  # no bearer token: calendar apps cannot send one
    assert read.status_code == 200 and read.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(read.content)
    uids = {str(e["UID"]).split("@")[0] for e in cal.walk("VEVENT")}
    assert uids == {a.json()["meeting_id"], b.json()["meeting_id"]}
    assert cal.walk("VTIMEZONE") and str(cal.walk("VTIMEZONE")[0]["TZID"]) == "Asia/Tokyo"
    event = next(e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Second chat")
    assert event.decoded("dtstart").timestamp() == hours_ahead(44).timestamp()

    assert (
        await s.http.delete("/v1/me/calendar-feed", headers=s.auth("mentee-f"))
    ).status_code == 204
    gone = await s.http.get(path)
    assert gone.status_code == 410 and "revoked" in gone.json()["detail"]
    unknown = await s.http.get("/v1/calendar-feeds/" + "x" * 43 + ".ics")
    assert unknown.status_code == 404


async def test_a_session_holds_its_capacity_and_shows_the_link_to_attendees(
    sched: Scheduling,
) -> None:
    s = sched
    people = [f"member-{i}" for i in range(12)]
    for user in ["host", *people]:
        payload = profile_changed(s.tenant, f"m-{user}", 1)
        payload = payload.model_copy(
            update={"user_id": user, "roles": ["mentor"] if user == "host" else ["mentee"]}
        )
        await s.publish(payload, f"m-{user}")

    async def known() -> bool:  # keys spread over partitions: wait for every member
        for user in ["host", *people]:
            if await s.service.members.roles(s.tenant, "prog-1", user) is None:
                return False
        return True

    await eventually(known, timeout=60)
    created = await s.http.post(
        "/v1/programs/prog-1/sessions",
        json={
            "starts_at": hours_ahead(30).isoformat(),
            "duration_minutes": 90,
            "title": "Salary negotiation",
            "capacity": 5,
        },
        headers=s.auth("host"),
    )
    assert created.status_code == 201, created.text
    session = created.json()["meeting_id"]
    outsider = await s.http.get(f"/v1/meetings/{session}", headers=s.auth("not-a-member"))
    assert outsider.status_code == 404
    before = await s.http.get(f"/v1/meetings/{session}", headers=s.auth(people[0]))
    assert before.status_code == 200 and before.json()["video_url"] is None

    answers = await asyncio.gather(
        *(
            s.http.put(f"/v1/meetings/{session}/rsvp", json={"response": "yes"}, headers=s.auth(p))
            for p in people
        )
    )
    codes = Counter(a.status_code for a in answers)
    assert codes == {200: 5, 409: 7}, [a.text for a in answers if a.status_code != 200]
    view = await s.http.get(f"/v1/meetings/{session}", headers=s.auth("host"))
    assert view.json()["seats_taken"] == 5
    seated = [p for p, a in zip(people, answers, strict=True) if a.status_code == 200]
    shown = await s.http.get(f"/v1/meetings/{session}", headers=s.auth(seated[0]))
    assert shown.json()["video_url"].startswith("https://meet.jit.si/")
    # a seat given back is taken by the next one who asks
    left = await s.http.put(
        f"/v1/meetings/{session}/rsvp", json={"response": "no"}, headers=s.auth(seated[0])
    )
    assert left.status_code == 200
    late = next(p for p in people if p not in seated)
    again = await s.http.put(
        f"/v1/meetings/{session}/rsvp", json={"response": "yes"}, headers=s.auth(late)
    )
    assert again.status_code == 200 and again.json()["seats_taken"] == 5
