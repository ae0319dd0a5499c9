"""A reminder is emitted once, with two replicas sweeping and across a restart."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_scheduling_support import Scheduling

from scheduling.bootstrap import create_app
from scheduling.settings import SchedulingSettings
from testkit.apps import serve_in_process
from testkit.events import read_topic
from testkit.infra import Infra

pytestmark = pytest.mark.infra


async def _reminders(infra: Infra, settings: SchedulingSettings, meeting_id: str) -> list[Any]:
    records = await read_topic(
        infra.kafka_bootstrap, settings.topic("meeting-reminder"), expect=10_000, timeout=3
    )
    return [r for r in records if r.key == meeting_id.encode()]


async def test_a_reminder_is_emitted_once_across_replicas_and_a_restart(
    make_settings: Callable[..., Any], infra: Infra
) -> None:
    settings = make_settings(
        SchedulingSettings, reminder_sweep_seconds=0.2, reminder_offsets_minutes=[1440, 15]
    )
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=10 - now.minute % 5)
    async with AsyncExitStack() as stack:
        first, second = create_app(settings), create_app(settings)
        http = await stack.enter_async_context(serve_in_process(first))
        await stack.enter_async_context(serve_in_process(second))
        s = Scheduling(http, first, tenant)
        match_id = await s.match("mentor-r", "mentee-r")
        await s.available("mentor-r")
        booked = await s.book("mentee-r", match_id, start, minutes=30)
        assert booked.status_code == 201, booked.text
        meeting_id = booked.json()["meeting_id"]
        for _ in range(100):
            if await _reminders(infra, settings, meeting_id):
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # both replicas swept several times more
    # a restart: a fresh process (no memory of what it sent) sweeps the same meetings
    async with serve_in_process(create_app(settings)):
        await asyncio.sleep(1.5)
    found = await _reminders(infra, settings, meeting_id)
    assert len(found) == 1, [json.loads(r.value) for r in found]
    data = json.loads(found[0].value)
    # booked 10 minutes ahead: only the 15-minute reminder, not the 24-hour one
    assert data["minutes_before"] == 15
    assert data["attendee_user_ids"] == ["mentor-r", "mentee-r"]
