"""Deleted and erased messages lose their text and attachments in the event store too
(types, versions and ids stay, so the stream still loads)."""

from __future__ import annotations

from typing import Any

from chassis.eventstore import EventStore, StoredEvent

CONTENT_EVENTS = {"MessagePosted", "MessageEdited"}


def _without_content(event: StoredEvent) -> dict[str, Any] | None:
    if event.type not in CONTENT_EVENTS:
        return None
    return {**event.data, "source": "", "attachments": [], "mentions": []}


class EventRedaction:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def redact(self, message_id: str) -> None:
        await self.store.redact(message_id, event=_without_content)
