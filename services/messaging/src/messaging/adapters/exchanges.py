"""The exchanges read model: one document per exchange (ids, parts, consent states; never
text), replaced only by a newer version of its stream."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from chassis.mongo import retry_transient
from chassis.storage import replace

#: active exchanges a quoted message can still affect
OPEN = ["awaiting_consent", "consented"]


class ExchangeViewsStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.rows = db["exchange_views"]

    async def ensure_indexes(self) -> None:
        await self.rows.create_index([("tenant_id", ASCENDING), ("conversation_id", ASCENDING)])
        await self.rows.create_index([("tenant_id", ASCENDING), ("message_ids", ASCENDING)])

    async def put(self, view: dict[str, Any], *, tenant_id: str) -> None:
        xid = view["exchange_id"]
        current = await retry_transient(lambda: self.rows.find_one({"_id": xid}, {"version": 1}))
        if current is not None and current.get("version", 0) >= view["version"]:
            return
        doc = {
            **view,
            "tenant_id": tenant_id,
            "message_ids": [m["message_id"] for m in view["messages"]],
        }
        await replace(self.rows, xid, doc)

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[dict[str, Any]]:
        rows = await self.rows.find(
            {"tenant_id": tenant_id, "conversation_id": conversation_id},
            {"_id": 0, "tenant_id": 0, "message_ids": 0},
        ).to_list()
        return sorted(rows, key=lambda r: r["nominated_at"], reverse=True)

    async def quoting(self, tenant_id: str, message_id: str) -> list[str]:
        rows = await self.rows.find(
            {"tenant_id": tenant_id, "message_ids": message_id, "status": {"$in": OPEN}},
            {"_id": 1},
        ).to_list()
        return [r["_id"] for r in rows]
