"""Bad input gets a clear 4xx naming the problem, and nothing is written."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from test_scheduling_support import Scheduling, module_service, tenant_view

pytestmark = pytest.mark.infra
served = module_service()
sched = tenant_view()


async def _written(s: Scheduling) -> tuple[int, int, int]:
    db = s.app.state.runtime.db
    return (
        await db["event_commits"].count_documents({}),
        await db["claims"].count_documents({}),
        await db["meetings"].count_documents({}),
    )


def _next(weekday: int, hour: int, minute: int = 0) -> datetime:
    """The next local wall-clock time on ``weekday`` (naive), at least two days ahead."""
    day = (datetime.now() + timedelta(days=2)).replace(hour=hour, minute=minute, second=0)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day.replace(microsecond=0)


async def test_bad_input_is_refused_by_name_and_writes_nothing(sched: Scheduling) -> None:
    s = sched
    match_id = await s.match("mentor-x", "mentee-x")
    other_match = await s.match("mentor-y", "mentee-y")
    await s.available(
        "mentor-x",
        timezone="Europe/Paris",
        rules=[{"weekdays": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}],
        buffer_minutes=15,
        max_per_day=3,
    )
    first = await s.http.post(
        f"/v1/matches/{match_id}/meetings",
        json={
            "local_start": _next(1, 10).isoformat(),  # a Tuesday, 10:00 in Paris
            "timezone": "Europe/Paris",
            "duration_minutes": 60,
            "title": "Planning",
        },
        headers=s.auth("mentee-x"),
    )
    assert first.status_code == 201, first.text
    meeting = first.json()
    start = datetime.fromisoformat(meeting["starts_at"])
    before = await _written(s)

    def book(**body: Any) -> Any:
        return s.http.post(
            f"/v1/matches/{match_id}/meetings",
            json={"title": "x", **body},
            headers=s.auth("mentee-x"),
        )

    cases: list[tuple[Any, int, str]] = [
        (
            s.http.put(
                "/v1/me/availability",
                json={"timezone": "Mars/Olympus_Mons", "rules": []},
                headers=s.auth("mentor-z"),
            ),
            422,
            "unknown time zone",
        ),
        (
            s.http.put(
                "/v1/me/availability",
                json={
                    "timezone": "Europe/Paris",
                    "rules": [{"weekdays": [1], "start": "18:00", "end": "17:00"}],
                },
                headers=s.auth("mentor-z"),
            ),
            422,
            "end must be after",
        ),
        (
            s.http.put(
                "/v1/me/availability",
                json={
                    "timezone": "Europe/Paris",
                    "extra": [{"start": "2030-03-31T02:30:00", "end": "2030-03-31T04:00:00"}],
                },
                headers=s.auth("mentor-z"),
            ),
            422,
            "does not exist",
        ),
        (
            book(
                starts_at=(start + timedelta(days=1)).isoformat(),
                ends_at=(start + timedelta(days=1, minutes=-30)).isoformat(),
            ),
            422,
            "end after it starts",
        ),
        (book(starts_at=start.isoformat(), duration_minutes=300), 422, "at most 4 hours"),
        (
            book(local_start="2030-03-31T02:30:00", timezone="Europe/Paris", duration_minutes=30),
            422,
            "does not exist",
        ),
        (
            book(local_start="2030-10-27T02:30:00", timezone="Europe/Paris", duration_minutes=30),
            422,
            "happens twice",
        ),
        (
            book(
                local_start="2030-10-27T10:00:00", timezone="Europe/Atlantis", duration_minutes=30
            ),
            422,
            "unknown time zone",
        ),
        (book(starts_at="2020-01-07T10:00:00+01:00", duration_minutes=30), 422, "past"),
        (
            book(starts_at=(start + timedelta(minutes=30)).isoformat(), duration_minutes=30),
            409,
            "another meeting",
        ),
        (
            book(starts_at=(start + timedelta(minutes=65)).isoformat(), duration_minutes=30),
            409,
            "buffer",
        ),
        (
            book(starts_at=(start + timedelta(minutes=7)).isoformat(), duration_minutes=30),
            422,
            "5-minute",
        ),
        (
            book(starts_at=start.replace(hour=2).isoformat(), duration_minutes=30),
            409,
            "outside the mentor's availability",
        ),
        (
            s.http.post(
                f"/v1/matches/{other_match}/meetings",
                json={"title": "x", "starts_at": start.isoformat(), "duration_minutes": 30},
                headers=s.auth("mentee-x"),
            ),
            404,
            "no mentorship",
        ),
        (
            s.http.post(
                f"/v1/meetings/{meeting['meeting_id']}/cancel",
                json={"reason": "other"},
                headers={**s.auth("mentee-x"), "If-Match": '"7"'},
            ),
            412,
            "changed since you read it",
        ),
        (
            s.http.post(
                f"/v1/meetings/{meeting['meeting_id']}/cancel",
                json={"reason": "Not A Code"},
                headers=s.auth("mentee-x"),
            ),
            422,
            "reason",
        ),
        (book(starts_at=start.isoformat(), duration_minutes=30, title="y" * 201), 422, "title"),
        (s.http.get("/v1/calendar-feeds/" + "a" * 43 + ".ics"), 404, "no such calendar feed"),
    ]
    for request, status, words in cases:
        response = await request
        assert response.status_code == status, (words, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert words in response.text, (words, response.text)
    assert await _written(s) == before
