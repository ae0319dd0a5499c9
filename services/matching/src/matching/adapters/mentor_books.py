"""Loading and saving mentors' books through the chassis aggregate repository.

A book is its latest snapshot (``mentor_book_snapshots``, by stream id) plus the events
after it; a save is one commit of the pending events with the integration events they
announce (:func:`~matching.contracts_mapping.publish_for`), then the version-guarded
snapshot. Erasure rewrites what a person wrote in the stored events through
``EventStore.redact`` (the only write that changes a commit).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection

from pymongo.asynchronous.database import AsyncDatabase

from chassis.domain import DomainEvent
from chassis.eventstore import EventStore, Publish, StoredEvent
from chassis.repository import AggregateRepository
from chassis.storage import StorageProfile
from matching.contracts_mapping import publish_for
from matching.domain.mentor_book import MentorBook
from matching.domain.mentor_book_state import STREAM_PREFIX

#: fields of request events that hold what a person wrote, and their blank value
TEXT_FIELDS = {"message": "", "text": "", "note": None}


class MentorBookRepository:
    def __init__(self, events: EventStore, db: AsyncDatabase, *, storage: StorageProfile) -> None:
        self.events = events
        self.repository = AggregateRepository(
            events, db, MentorBook, storage=storage, snapshots="mentor_book_snapshots"
        )

    async def load(self, stream_id: str) -> MentorBook:
        return await self.repository.load(stream_id)

    async def moved_past(self, stream_id: str, version: int) -> bool:
        return await self.events.moved_past(stream_id, version)

    async def save(self, book: MentorBook) -> list[DomainEvent]:
        """Store the pending events (one commit, with their Kafka messages); returns them."""
        pending = book.pending_events
        messages: list[Publish] = [m for m in (publish_for(book, e) for e in pending) if m]
        await self.repository.save(book, messages=messages, tenant_id=book.tenant_id)
        return pending

    async def forget_texts(self, stream_id: str, request_ids: Collection[str]) -> int:
        """Erasure: blank what was written in these requests' stored events."""

        def blanked(event: StoredEvent) -> dict[str, object] | None:
            if event.data.get("request_id") not in request_ids:
                return None
            fields = {k: blank for k, blank in TEXT_FIELDS.items() if event.data.get(k)}
            return {**event.data, **fields} if fields else None

        return await self.events.redact(stream_id, event=blanked)

    async def all_books(self) -> AsyncIterator[tuple[MentorBook, list[DomainEvent]]]:
        """Every book folded from the event store, with its events (rebuilds)."""
        streams: dict[str, list[StoredEvent]] = {}
        async for event in self.events.all_events():
            if event.stream_id.startswith(STREAM_PREFIX):
                streams.setdefault(event.stream_id, []).append(event)
        for stream_id, stored in streams.items():
            events = [self.repository.read(e) for e in stored]
            yield MentorBook.from_events(stream_id, events), events

    async def write_snapshot(self, book: MentorBook) -> None:
        await self.repository.write_snapshot(book)
