"""Reminders recorded in the event store: one stream per reminder, appended at version 0."""

from __future__ import annotations

from chassis.eventstore import ConcurrencyError, EventStore, NewEvent, Publish


class EventStoreReminderLog:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def emit_once(self, reminder_id: str, tenant: str, message: Publish) -> bool:
        event = NewEvent("ReminderEmitted", {"reminder_id": reminder_id})
        try:
            await self.store.append(reminder_id, 0, [event], tenant_id=tenant, messages=[message])
        except ConcurrencyError:
            return False  # another replica (or an earlier run) recorded it
        return True
