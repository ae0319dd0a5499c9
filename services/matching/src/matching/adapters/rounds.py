"""Bulk rounds: the round aggregate's state by ``_id`` (``rounds``), each run's inputs and
result (``round_runs``, ``<round_id>:<run>``) and the program's list of rounds
(``program_rounds``, ``<tenant>|<program>``). The event store holds the round's events;
a run's full inputs and result are too large for an event and live in their own document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from chassis.eventstore import EventStore, NewEvent
from matching.adapters.mongo_ops import replace, upsert
from matching.adapters.projections import program_key
from matching.domain.rounds import BulkRound


class RoundRepository:
    def __init__(self, events: EventStore, db: AsyncDatabase) -> None:
        self.events = events
        self.rounds = db["rounds"]
        self.runs = db["round_runs"]
        self.listing = db["program_rounds"]

    async def load(self, stream_id: str, *, fresh: bool = False) -> BulkRound:
        doc = await self.rounds.find_one({"_id": stream_id})
        round_ = (
            BulkRound.restore(stream_id, doc["version"], doc["state"])
            if doc is not None
            else BulkRound(stream_id)
        )
        if fresh:
            for event in await self.events.load(stream_id, after_version=round_.version):
                round_.apply(event.type, event.data)
                round_.version = event.version
        return round_

    async def append(self, round_: BulkRound) -> None:
        await self.events.append(
            round_.stream_id,
            round_.loaded_version,
            [NewEvent(e.type, e.data) for e in round_.pending],
            tenant_id=round_.tenant_id,
        )
        round_.pending.clear()
        body = {"version": round_.version, "state": round_.state()}
        await upsert(self.rounds, round_.stream_id, {"$set": body})
        summary = {
            "round_id": round_.round_id,
            "status": round_.status,
            "opened_at": round_.opened_at,
            "opened_by": round_.opened_by,
            "runs": len(round_.runs),
        }
        key = program_key(round_.tenant_id, round_.program_id)
        await upsert(self.listing, key, {"$set": {f"rounds.{round_.round_id}": summary}})

    async def put_run(self, round_id: str, number: int, doc: Mapping[str, Any]) -> None:
        await replace(self.runs, f"{round_id}:{number}", dict(doc))

    async def run(self, round_id: str, number: int) -> dict[str, Any] | None:
        return await self.runs.find_one({"_id": f"{round_id}:{number}"})

    async def program_rounds(self, tenant_id: str, program_id: str) -> dict[str, Any]:
        doc = await self.listing.find_one({"_id": program_key(tenant_id, program_id)})
        return (doc or {}).get("rounds", {})
