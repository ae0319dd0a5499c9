"""Claims as documents in one collection whose ``_id`` is the claim's key.

Claiming is ``insert_many(ordered=True)``: the server stops at the first key somebody
holds, and everything inserted before it is deleted again, so a plan is taken whole or
not at all. A key the owner itself holds already (a rescheduled meeting keeping part of
its time) counts as taken and is skipped. Releasing reads the key by ``_id`` and deletes
it only if it is the owner's (point operations: fast on FerretDB, right on MongoDB).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from chassis.mongo import retry_transient
from scheduling.domain.claims import ClaimPlan, Held, SeatPool

DUPLICATE_KEY = 11000


class MongoClaims:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db["claims"]

    async def take(self, plan: ClaimPlan, owner: str) -> Held | str:
        fresh: list[str] = []
        try:
            refused = await self._insert_all(list(plan.keys), owner, fresh)
            if refused is not None:
                await self.release(fresh, owner)
                return refused
            seats = []
            for pool in plan.pools:
                seat = await self._first_free(pool, owner, fresh)
                if seat is None:
                    await self.release(fresh, owner)
                    return pool.seat(pool.size - 1)
                seats.append(seat)
        except BaseException:
            await self.release(fresh, owner)
            raise
        return Held(plan.keys, tuple(seats))

    async def _insert_all(self, keys: list[str], owner: str, fresh: list[str]) -> str | None:
        """Insert ``keys`` in order (appending what was inserted to ``fresh``); the first
        key somebody else holds, or None."""
        now = datetime.now(UTC)
        while keys:
            docs = [{"_id": k, "owner": owner, "at": now} for k in keys]
            try:
                await retry_transient(lambda d=docs: self.collection.insert_many(d, ordered=True))  # type: ignore[misc]
                fresh.extend(keys)
                return None
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if not errors or errors[0].get("code") != DUPLICATE_KEY:
                    raise
                at = int(errors[0]["index"])
                fresh.extend(keys[:at])  # ordered: everything before the failure went in
                if not await self._owned_by(keys[at], owner):
                    return keys[at]
                keys = keys[at + 1 :]
        return None

    async def _first_free(self, pool: SeatPool, owner: str, fresh: list[str]) -> str | None:
        for k in range(pool.size):
            key = pool.seat(k)
            try:
                await retry_transient(
                    lambda k=key: self.collection.insert_one(  # type: ignore[misc]
                        {"_id": k, "owner": owner, "at": datetime.now(UTC)}
                    )
                )
                fresh.append(key)
                return key
            except DuplicateKeyError:
                if await self._owned_by(key, owner):
                    return key
        return None

    async def _owned_by(self, key: str, owner: str) -> bool:
        doc: dict[str, Any] | None = await self.collection.find_one({"_id": key}, {"owner": 1})
        return doc is not None and doc["owner"] == owner

    async def holder(self, key: str) -> tuple[str, int] | None:
        doc = await self.collection.find_one({"_id": key})
        if doc is None:
            return None
        at = doc["at"] if doc["at"].tzinfo else doc["at"].replace(tzinfo=UTC)
        return str(doc["owner"]), int(at.timestamp())

    async def release(self, keys: Sequence[str], owner: str) -> None:
        for key in keys:
            if await self._owned_by(key, owner):
                await retry_transient(lambda k=key: self.collection.delete_one({"_id": k}))  # type: ignore[misc]
