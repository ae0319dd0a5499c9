"""Members' feeds, presence and the digest queue in MongoDB.

A feed position is claimed by inserting ``<tenant>|<user>|<position>`` (unique ``_id``):
a concurrent writer that lost tries the next position, so positions are dense and each
is written once. The entries are one plain collection on every storage profile (only
inserts, and reads and deletes by ``_id``, which need no partitions), so one entry for
all the members of a conversation is one ``insert_many``: one write for every member's
claim (FerretDB's SQLite backend keeps a database in one file, whose writes queue for
one lock). The head document is only a hint (kept with ``$max``, which may lose a race
on FerretDB), written every ``HINT_EVERY`` positions because an update is the expensive
write there; the true head is found by probing forward from it (``HINT_EVERY`` point
reads at once) or from what this replica last wrote.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from chassis.mongo import retry_transient
from chassis.storage import StorageProfile, replace, upsert

HINT_EVERY = 16
DUPLICATE_KEY = 11000


async def probe_forward(start: int, exists: Callable[[int], Awaitable[bool]]) -> int:
    """The last of the dense numbers ``start + 1, start + 2, ...`` that exist, from a hint
    that may lag: one point read first (usually the hint is the head), then ``HINT_EVERY``
    at once (a hint is stored every ``HINT_EVERY`` numbers, so one round covers its lag)."""
    number, chunk = start, 1
    while True:
        found = await asyncio.gather(*(exists(number + k) for k in range(1, chunk + 1)))
        present = next((k for k, hit in enumerate(found) if not hit), len(found))
        number += present
        if present < len(found):
            return number
        chunk = HINT_EVERY


def _key(tenant_id: str, user_id: str) -> str:
    return f"{tenant_id}|{user_id}"


class FeedStore:
    """Keeps the last ``backlog`` entries of each member: appending position p deletes
    position p - backlog (a point delete), so a feed never grows beyond that."""

    def __init__(self, db: AsyncDatabase, storage: StorageProfile, *, backlog: int) -> None:
        self.backlog = backlog
        self.entries = db["feed_entries"]
        self.heads = storage.hot(db, "feed_heads")
        self._known: dict[str, int] = {}  # this replica's last known head per member

    @staticmethod
    def entry_id(tenant_id: str, user_id: str, position: int) -> str:
        return f"{_key(tenant_id, user_id)}|{position:012d}"

    async def _stored_hint(self, key: str) -> int:
        doc = await retry_transient(lambda: self.heads.find_one(key))
        return int(doc["p"]) if doc else 0

    async def _next(self, tenant_id: str, user_id: str) -> int:
        """The position to try first: after this replica's last known head, else the
        probed head (another replica or a restart moved it)."""
        known = self._known.get(_key(tenant_id, user_id))
        return known + 1 if known is not None else await self.head(tenant_id, user_id) + 1

    async def append(self, tenant_id: str, user_id: str, entry: dict[str, Any]) -> int:
        return (await self.append_many(tenant_id, [user_id], entry))[user_id]

    async def append_many(
        self, tenant_id: str, user_ids: list[str], entry: dict[str, Any]
    ) -> dict[str, int]:
        """Appends ``entry`` to each member's feed; their new positions."""
        users = list(dict.fromkeys(user_ids))
        starts = await asyncio.gather(*(self._next(tenant_id, u) for u in users))
        tries = dict(zip(users, starts, strict=True))
        claimed: dict[str, int] = {}
        while tries:
            claims = [
                (user, {"_id": self.entry_id(tenant_id, user, p), "position": p, **entry})
                for user, p in tries.items()
            ]
            lost = await self._insert(claims)
            claimed.update({u: p for u, p in tries.items() if u not in lost})
            tries = {u: tries[u] + 1 for u in lost}  # a concurrent writer took it
        await asyncio.gather(*(self._claimed(tenant_id, u, p) for u, p in claimed.items()))
        return claimed

    async def _insert(self, claims: list[tuple[str, dict[str, Any]]]) -> set[str]:
        """Inserts the claims (one ``insert_many``); the members whose position was taken."""
        users, docs = [u for u, _ in claims], [d for _, d in claims]
        try:
            await retry_transient(lambda: self.entries.insert_many(docs, ordered=False))
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            return {users[e["index"]] for e in errors}
        return set()

    async def _claimed(self, tenant_id: str, user_id: str, position: int) -> None:
        key = _key(tenant_id, user_id)
        self._known[key] = max(self._known.get(key, 0), position)
        if position % HINT_EVERY == 1:
            await upsert(self.heads.of(key), key, {"$max": {"p": position}})
        if position > self.backlog:
            old = self.entry_id(tenant_id, user_id, position - self.backlog)
            await retry_transient(lambda: self.entries.delete_one({"_id": old}))

    async def head(self, tenant_id: str, user_id: str) -> int:
        key = _key(tenant_id, user_id)
        known = self._known.get(key)
        hint = known if known is not None else await self._stored_hint(key)

        async def exists(position: int) -> bool:
            entry_id = self.entry_id(tenant_id, user_id, position)
            return await self.entries.find_one(entry_id, {"_id": 1}) is not None

        position = await probe_forward(hint, exists)
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
    """When each member was last seen by a socket (connect, heartbeats, leave). A member
    this replica recorded less than a quarter of ``active_seconds`` ago is not written
    again (with many idle sockets, those writes were most of the database's work); "active"
    is decided against ``active_seconds``, so the error is at most that quarter."""

    def __init__(
        self, db: AsyncDatabase, storage: StorageProfile, *, active_seconds: float
    ) -> None:
        self.seen_at = storage.hot(db, "presence")
        self.active_seconds = active_seconds
        self._written: dict[str, float] = {}

    async def seen(self, tenant_id: str, user_id: str) -> None:
        key = _key(tenant_id, user_id)
        now = time.time()
        if now - self._written.get(key, 0.0) < self.active_seconds / 4:
            return
        await replace(self.seen_at.of(key), key, {"_id": key, "at": now})
        self._written[key] = now
        if len(self._written) > 100_000:  # forget the oldest half (members long gone)
            for old in sorted(self._written, key=self._written.__getitem__)[:50_000]:
                del self._written[old]

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
