"""Members' feeds, presence and the digest queue in MongoDB.

A feed position is claimed by inserting ``<tenant>|<user>|<position>`` (unique ``_id``):
a concurrent writer that lost tries the next position, so positions are dense and each
is written once. The head document is only a hint (kept with ``$max``, which may lose a
race on FerretDB); the true head is found by probing forward from it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from chassis.mongo import retry_transient
from chassis.storage import StorageProfile, replace, upsert


def _key(tenant_id: str, user_id: str) -> str:
    return f"{tenant_id}|{user_id}"


class FeedStore:
    """Keeps the last ``backlog`` entries of each member: appending position p deletes
    position p - backlog (a point delete), so a feed never grows beyond that."""

    def __init__(self, db: AsyncDatabase, storage: StorageProfile, *, backlog: int) -> None:
        self.backlog = backlog
        self.entries = storage.hot(db, "feed")
        self.heads = storage.hot(db, "feed_heads")
        self._known: dict[str, int] = {}  # this replica's last known head per member

    @staticmethod
    def entry_id(tenant_id: str, user_id: str, position: int) -> str:
        return f"{_key(tenant_id, user_id)}|{position:012d}"

    async def _hint(self, key: str) -> int:
        if key in self._known:
            return self._known[key]
        doc = await retry_transient(lambda: self.heads.find_one(key))
        return int(doc["p"]) if doc else 0

    async def append(self, tenant_id: str, user_id: str, entry: dict[str, Any]) -> int:
        key = _key(tenant_id, user_id)
        position = await self._hint(key) + 1
        while True:
            doc = {
                "_id": self.entry_id(tenant_id, user_id, position),
                "position": position,
                **entry,
            }
            collection = self.entries.of(doc["_id"])
            try:
                await retry_transient(lambda d=doc, c=collection: c.insert_one(d))  # type: ignore[misc]
                break
            except DuplicateKeyError:
                position += 1
        self._known[key] = max(self._known.get(key, 0), position)
        await upsert(self.heads.of(key), key, {"$max": {"p": position}})
        if position > self.backlog:
            old = self.entry_id(tenant_id, user_id, position - self.backlog)
            await retry_transient(lambda: self.entries.of(old).delete_one({"_id": old}))
        return position

    async def head(self, tenant_id: str, user_id: str) -> int:
        key = _key(tenant_id, user_id)
        position = await self._hint(key)
        while await self.entries.find_one(
            self.entry_id(tenant_id, user_id, position + 1), {"_id": 1}
        ):
            position += 1
        self._known[key] = max(self._known.get(key, 0), position)
        return position

    async def read(
        self, tenant_id: str, user_id: str, after: int, limit: int
    ) -> list[dict[str, Any]]:
        """Entries ``after + 1`` onward, in order, up to the first missing one."""
        out: list[dict[str, Any]] = []
        chunk = 1  # usually one new entry (live); a resume reads larger chunks
        position = after + 1
        while len(out) < limit:
            ids = [self.entry_id(tenant_id, user_id, p) for p in range(position, position + chunk)]
            docs = await asyncio.gather(*(self.entries.find_one(i) for i in ids))
            for doc in docs:
                if doc is None or len(out) == limit:
                    return out
                doc.pop("_id", None)
                out.append(doc)
            position += chunk
            chunk = min(chunk * 4, 32)
        return out


class PresenceStore:
    """When each member was last seen by a socket (connect, every heartbeat, leave)."""

    def __init__(
        self, db: AsyncDatabase, storage: StorageProfile, *, active_seconds: float
    ) -> None:
        self.seen_at = storage.hot(db, "presence")
        self.active_seconds = active_seconds

    async def seen(self, tenant_id: str, user_id: str) -> None:
        key = _key(tenant_id, user_id)
        await replace(self.seen_at.of(key), key, {"_id": key, "at": time.time()})

    async def active(self, tenant_id: str, user_id: str) -> bool:
        doc = await retry_transient(lambda: self.seen_at.find_one(_key(tenant_id, user_id)))
        return doc is not None and time.time() - float(doc["at"]) < self.active_seconds


class DigestQueueStore:
    """One entry per member and window (``<tenant>|<user>|<window start>``), inserted once;
    claimed by inserting the same id into ``digests`` (the one atomic write)."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.pending = db["digest_pending"]
        self.claims = db["digests"]

    async def enqueue(self, tenant_id: str, user_id: str, window_start: int, due_at: float) -> None:
        doc = {
            "_id": f"{_key(tenant_id, user_id)}|{window_start}",
            "tenant_id": tenant_id,
            "user_id": user_id,
            "due_at": due_at,
        }
        try:
            await retry_transient(lambda: self.pending.insert_one(doc))
        except DuplicateKeyError:
            pass  # this window is queued already: one mail for it

    async def due(self, now: float) -> list[dict[str, Any]]:
        return await self.pending.find({"due_at": {"$lte": now}}).to_list()

    async def claim(self, item_id: str) -> bool:
        try:
            await retry_transient(
                lambda: self.claims.insert_one(
                    {"_id": item_id, "state": "claimed", "at": time.time()}
                )
            )
            return True
        except DuplicateKeyError:
            await self.pending.delete_one({"_id": item_id})  # another replica (or run) has it
            return False

    async def finish(self, item_id: str, outcome: str) -> None:
        await self.claims.update_one({"_id": item_id}, {"$set": {"state": outcome}})
        await self.pending.delete_one({"_id": item_id})
