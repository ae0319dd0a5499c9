"""Read models in MongoDB: messages by id, conversation heads, who is in which
conversation, matches' conversations, reports.

Hot paths (send, history, delivery) read and write by ``_id`` only; the scans (search,
threads, erasure, a member's list) are indexed on MongoDB and bounded by the caller's own
conversations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from chassis.mongo import retry_transient
from chassis.storage import StorageProfile, replace, upsert
from messaging.adapters.feed import HINT_EVERY, probe_forward
from messaging.domain.conversation import Conversation


class MessageViewsStore:
    def __init__(self, db: AsyncDatabase, storage: StorageProfile) -> None:
        self.messages = storage.hot(db, "message_views")
        self.heads = storage.hot(db, "conversation_heads")
        self._heads: dict[str, int] = {}

    async def ensure_indexes(self) -> None:
        keys = [
            [("conversation_id", ASCENDING), ("number", DESCENDING)],
            [("tenant_id", ASCENDING), ("sender", ASCENDING)],
            [("conversation_id", ASCENDING), ("terms", ASCENDING)],
        ]
        await asyncio.gather(*(c.create_index(k) for c in self.messages for k in keys))

    async def put(
        self, view: dict[str, Any], *, tenant_id: str, version: int, terms: list[str]
    ) -> None:
        doc = {
            "_id": view["id"],
            **view,
            "tenant_id": tenant_id,
            "version": version,
            "terms": terms,
        }
        collection = self.messages.of(view["id"])
        if version == 1:  # a new message: an insert (on FerretDB far cheaper than an upsert)
            try:
                await retry_transient(lambda: collection.insert_one(doc))
                return
            except DuplicateKeyError:
                pass  # projected already (a retry, or a later version won)
        current = await retry_transient(
            lambda: collection.find_one({"_id": view["id"]}, {"version": 1})
        )
        if current is not None and current.get("version", 0) >= version:
            return
        await replace(collection, view["id"], doc)

    @staticmethod
    def _public(doc: dict[str, Any] | None) -> dict[str, Any] | None:
        if doc is None:
            return None
        return {k: v for k, v in doc.items() if k not in ("_id", "tenant_id", "version", "terms")}

    async def get(self, message_id: str) -> dict[str, Any] | None:
        return self._public(await retry_transient(lambda: self.messages.find_one(message_id)))

    async def many(self, message_ids: Sequence[str]) -> list[dict[str, Any] | None]:
        docs = await asyncio.gather(*(self.messages.find_one(mid) for mid in message_ids))
        return [self._public(d) for d in docs]

    async def head(self, conversation_id: str) -> int:
        """The conversation's last message number: what this replica last saw, or the
        stored hint, then probing forward by id (a hint can lag behind a concurrent
        sender or another replica; the messages cannot)."""
        number = self._heads.get(conversation_id)
        if number is None:
            doc = await retry_transient(lambda: self.heads.find_one(conversation_id))
            number = int(doc["n"]) if doc else 0

        async def exists(n: int) -> bool:
            return await self.messages.find_one(f"{conversation_id}.{n}", {"_id": 1}) is not None

        number = await probe_forward(number, exists)
        self._heads[conversation_id] = number
        return number

    async def note_head(self, conversation_id: str, number: int) -> None:
        """Remembers the head; stored every ``HINT_EVERY`` messages (an update is the
        expensive write on FerretDB; :meth:`head` probes past a lagging hint)."""
        if self._heads.get(conversation_id, 0) < number:
            self._heads[conversation_id] = number
        if number % HINT_EVERY == 1:
            await upsert(self.heads.of(conversation_id), conversation_id, {"$max": {"n": number}})

    async def _find(self, query: dict[str, Any], projection: Any = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        async for doc in self.messages.find_all(query, projection):
            found.append(doc)
        return found

    async def search(
        self, tenant_id: str, conversation_ids: Sequence[str], words: Sequence[str], limit: int
    ) -> list[dict[str, Any]]:
        docs = await self._find(
            {
                "tenant_id": tenant_id,
                "conversation_id": {"$in": list(conversation_ids)},
                "terms": {"$all": list(words)},
                "state": "visible",
            }
        )
        docs.sort(key=lambda d: (d["sent_at"], d["_id"]), reverse=True)
        return [self._public(d) for d in docs[:limit]]  # type: ignore[misc]

    async def thread(self, conversation_id: str, root_id: str) -> list[dict[str, Any]]:
        docs = await self._find({"conversation_id": conversation_id, "thread_root": root_id})
        docs.sort(key=lambda d: d["number"])
        return [self._public(d) for d in docs]  # type: ignore[misc]

    async def replies(
        self, tenant_id: str, conversation_ids: Sequence[str]
    ) -> list[dict[str, Any]]:
        return await self._find(
            {
                "tenant_id": tenant_id,
                "conversation_id": {"$in": list(conversation_ids)},
                "thread_root": {"$ne": None},
            },
            {"thread_root": 1, "sender": 1, "mentions": 1, "sent_at": 1},
        )

    async def sent_by(
        self, tenant_id: str, user_id: str, conversation_ids: Sequence[str]
    ) -> list[str]:
        docs = await self._find(
            {
                "tenant_id": tenant_id,
                "sender": user_id,
                "conversation_id": {"$in": list(conversation_ids)},
            },
            {"_id": 1},
        )
        return sorted(d["_id"] for d in docs)


class ConversationIndexStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.rows = db["conversation_members"]
        self.matches = db["match_conversations"]

    async def ensure_indexes(self) -> None:
        await self.rows.create_index([("tenant_id", ASCENDING), ("user_id", ASCENDING)])

    async def put(self, conversation: Conversation) -> None:
        base = {
            "tenant_id": conversation.tenant_id,
            "conversation_id": conversation.stream_id,
            "program_id": conversation.program_id,
            "kind": conversation.kind,
            "title": conversation.title,
            "archived": conversation.archived,
            "version": conversation.version,
        }
        rows: list[dict[str, Any]] = [
            {"_id": f"{conversation.stream_id}|{user}", **base, "user_id": user, "active": active}
            for user, active in [
                *((m, True) for m in conversation.members),
                *((f, False) for f in conversation.former),
            ]
        ]
        if conversation.version == 1 and rows:  # just opened: inserts, not upserts
            try:
                await retry_transient(lambda: self.rows.insert_many(rows, ordered=False))
                return
            except BulkWriteError:
                pass  # indexed before (a replayed event): the upserts below settle it
        for row in rows:
            fields = {k: v for k, v in row.items() if k != "_id"}
            await upsert(self.rows, str(row["_id"]), {"$set": fields})

    async def of_member(
        self, tenant_id: str, user_id: str, *, include_former: bool = False
    ) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"tenant_id": tenant_id, "user_id": user_id}
        if not include_former:
            query["active"] = True
        rows = await self.rows.find(query, {"_id": 0}).to_list()
        return sorted(rows, key=lambda r: r["conversation_id"])

    async def match(self, tenant_id: str, match_id: str) -> dict[str, Any] | None:
        return await self.matches.find_one({"_id": f"{tenant_id}|{match_id}"})

    async def remember_match(
        self,
        tenant_id: str,
        match_id: str,
        conversation_id: str | None,
        *,
        ended: bool = False,
        reason: str | None = None,
    ) -> None:
        changes: dict[str, Any] = {}
        if conversation_id is not None:
            changes["conversation_id"] = conversation_id
        if ended:
            changes.update(ended=True, reason=reason)
        key = f"{tenant_id}|{match_id}"
        try:  # usually the first word about this match: an insert
            await retry_transient(lambda: self.matches.insert_one({"_id": key, **changes}))
            return
        except DuplicateKeyError:
            pass
        await upsert(self.matches, key, {"$set": changes})


class ReportsStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.reports = db["message_reports"]

    async def add(
        self, *, tenant_id: str, program_id: str, message_id: str, by: str, reason: str, at: str
    ) -> None:
        await replace(
            self.reports,
            f"{message_id}|{by}",
            {
                "tenant_id": tenant_id,
                "program_id": program_id,
                "message_id": message_id,
                "by": by,
                "reason": reason,
                "at": at,
            },
        )

    async def of_program(self, tenant_id: str, program_id: str) -> list[dict[str, Any]]:
        rows = await self.reports.find(
            {"tenant_id": tenant_id, "program_id": program_id}, {"_id": 0}
        ).to_list()
        return sorted(rows, key=lambda r: r["at"], reverse=True)
