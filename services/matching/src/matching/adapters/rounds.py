"""Bulk rounds: the round aggregate through the chassis aggregate repository, plus two
documents of their own written with the chassis storage helpers: each run's inputs and
result (``round_runs``, ``<round_id>:<run>``; too large for an event) and the program's
list of rounds (``program_rounds``, ``<tenant>|<program>``), a read model of the rounds'
events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from chassis.eventstore import EventStore
from chassis.mongo import retry_transient
from chassis.repository import AggregateRepository
from chassis.storage import StorageProfile, replace, upsert
from matching.adapters.profile_store import program_key
from matching.domain.rounds import BulkRound


class RoundRepository:
    def __init__(self, events: EventStore, db: AsyncDatabase, *, storage: StorageProfile) -> None:
        self.repository = AggregateRepository(
            events, db, BulkRound, storage=storage, snapshots="round_snapshots"
        )
        self.runs = db["round_runs"]
        self.listing = db["program_rounds"]

    async def load(self, stream_id: str) -> BulkRound:
        return await self.repository.load(stream_id)

    async def save(self, round_: BulkRound) -> None:
        """The pending events as one commit, the snapshot, then the program's list."""
        await self.repository.save(round_, tenant_id=round_.tenant_id)
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
        key = f"{round_id}:{number}"
        return await retry_transient(lambda: self.runs.find_one({"_id": key}))

    async def program_rounds(self, tenant_id: str, program_id: str) -> dict[str, Any]:
        key = program_key(tenant_id, program_id)
        doc = await retry_transient(lambda: self.listing.find_one({"_id": key}))
        return (doc or {}).get("rounds", {})
