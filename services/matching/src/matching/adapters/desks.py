"""Loading and appending mentor desks: snapshots by ``_id`` in front of the event store.

``EventStore.load`` is an indexed query on MongoDB but a scan of the whole ``events``
collection on FerretDB 1.x, so each desk's latest state is cached in ``desk_snapshots``
(``_id`` = stream id) after every append. The snapshot is only a cache: appends name the
expected version, so a stale snapshot turns into a :class:`ConcurrencyError`, after which
the desk is folded from the event store (``fresh=True``) and the snapshot repaired.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from chassis.eventstore import EventStore, NewEvent, StoredEvent
from matching.adapters.mongo_ops import upsert
from matching.domain.mentorship import MentorDesk
from matching.translation import publish_for


class DeskRepository:
    def __init__(self, events: EventStore, db: AsyncDatabase) -> None:
        self.events = events
        self.snapshots = db["desk_snapshots"]

    async def load(self, stream_id: str, *, fresh: bool = False) -> MentorDesk:
        doc = await self.snapshots.find_one({"_id": stream_id})
        desk = (
            MentorDesk.restore(stream_id, doc["version"], doc["state"])
            if doc is not None
            else MentorDesk(stream_id)
        )
        if fresh:
            newer = await self.events.load(stream_id, after_version=desk.version)
            for event in newer:
                desk.apply(event.type, event.data)
                desk.version = event.version
            if newer:
                await self.save(desk)
        return desk

    async def append(self, desk: MentorDesk) -> list[StoredEvent]:
        events = [NewEvent(e.type, e.data, publish=publish_for(desk, e)) for e in desk.pending]
        stored = await self.events.append(
            desk.stream_id, desk.loaded_version, events, tenant_id=desk.tenant_id
        )
        return stored

    async def save(self, desk: MentorDesk) -> None:
        """Cache the desk's state unless a newer one is cached (point ops only)."""
        current = await self.snapshots.find_one({"_id": desk.stream_id}, {"version": 1})
        if current is not None and current["version"] >= desk.version:
            return
        body: dict[str, Any] = {"version": desk.version, "state": desk.state()}
        await upsert(self.snapshots, desk.stream_id, {"$set": body})

    async def scrub_texts(self, stream_id: str, request_ids: set[str]) -> int:
        """Erasure: blank the texts of past events of these requests, in place.

        Events are facts and otherwise never change; what a person wrote is personal data
        and goes with them (their versions and everything else stay, so every projection
        stays consistent). A scan of the stream on FerretDB; erasure is rare.
        """
        scrubbed = 0
        for event in await self.events.load(stream_id):
            if event.data.get("request_id") not in request_ids:
                continue
            fields = {
                f"data.{name}": blank
                for name, blank in (("message", ""), ("text", ""), ("note", None))
                if event.data.get(name)
            }
            if fields:
                await self.events.collection.update_one({"_id": event.id}, {"$set": fields})
                scrubbed += 1
        return scrubbed


Command = Callable[[MentorDesk], Any]
