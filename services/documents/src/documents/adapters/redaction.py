"""Erasure in the event store: a purged document's name, description and tags are
rewritten to empty values (types, versions and ids stay, so the stream still folds)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chassis.eventstore import EventStore, StoredEvent

_PERSONAL: dict[str, dict[str, Any]] = {
    "DocumentCreated": {"name": "(purged)", "description": "", "tags": []},
    "Renamed": {"name": "(purged)"},
    "Described": {"description": ""},
    "Tagged": {"tags": []},
}


class StreamRedactor:
    def __init__(self, events: EventStore) -> None:
        self.events = events

    async def redact_document(self, stream_id: str) -> None:
        def blank(event: StoredEvent) -> Mapping[str, Any] | None:
            fields = _PERSONAL.get(event.type)
            return None if fields is None else {**dict(event.data), **fields}

        await self.events.redact(stream_id, event=blank)
