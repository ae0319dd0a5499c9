"""Reminders before meetings, each emitted exactly once by whichever replica sees it due.

Every replica sweeps the meetings starting soon. A reminder is one event in a stream of
its own, named by meeting, start time and offset, appended at version 0: the append is an
insert into the event store's unique commit id, so of any number of replicas and restarts
exactly one records it, and the outbox publishes it (a re-publish has the same
CloudEvent id). A meeting booked inside a reminder's lead time gets only the nearest
reminder still ahead (booked 10 minutes before: the 15-minute one, not the 24-hour one).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from chassis.eventstore import Publish
from scheduling import contracts_mapping
from scheduling.application.ports import Clock, MeetingIndex, ReminderLog
from scheduling.domain.meeting import Meeting

log = logging.getLogger("scheduling.reminders")


def due_offset(meeting: Meeting, offsets: Sequence[int], now: int) -> int | None:
    """The offset (seconds before the start) whose reminder is due now, if any."""
    if meeting.status == "cancelled" or now >= meeting.starts_at:
        return None
    due = [o for o in offsets if meeting.starts_at - o <= now]
    return min(due) if due else None


def reminder_id(meeting: Meeting, offset: int) -> str:
    return f"reminder-{meeting.meeting_id}-{meeting.starts_at}-{offset}"


@dataclass
class Reminders:
    index: MeetingIndex
    log: ReminderLog
    clock: Clock
    offsets: tuple[int, ...]
    sweep_seconds: float
    _sent: set[str] = field(default_factory=set)

    async def sweep(self) -> int:
        """Emit what is due; returns how many reminders this replica recorded."""
        now = self.clock.now()
        recorded = 0
        for meeting in await self.index.starting(now, now + max(self.offsets) + 1):
            offset = due_offset(meeting, self.offsets, now)
            if offset is None:
                continue
            name = reminder_id(meeting, offset)
            if name in self._sent:
                continue
            message = Publish(contracts_mapping.reminder(meeting, offset // 60))
            if await self.log.emit_once(name, meeting.tenant_id, message):
                recorded += 1
            self._sent.add(name)
        if len(self._sent) > 100_000:
            self._sent.clear()
        return recorded

    async def run(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("the reminder sweep failed; retrying")
            await asyncio.sleep(self.sweep_seconds)
