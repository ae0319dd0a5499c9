"""Mentor load: how many mentees each mentor currently has, from matching's events.

A read model of ``match-made`` / ``mentorship-ended``: one document per match (upserted by
match id, so a duplicate or a replay changes nothing, and an ``ended`` that overtakes its
``made`` still wins), and each mentor's load recomputed from those documents. The
active matches also decide who may see a member's "matches only" fields.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase


class MentorLoads:
    def __init__(self, db: AsyncDatabase) -> None:
        self.matches = db["matches"]
        self.loads = db["mentor_load"]

    async def ensure_indexes(self) -> None:
        await self.matches.create_index([("mentor_member_id", ASCENDING), ("ended", ASCENDING)])
        await self.matches.create_index([("mentee_member_ids", ASCENDING), ("ended", ASCENDING)])

    async def match_made(self, match_id: str, facts: dict[str, Any]) -> int:
        await self.matches.update_one(
            {"_id": match_id},
            {"$set": facts, "$setOnInsert": {"ended": False}},
            upsert=True,
        )
        return await self._recompute(facts["tenant_id"], facts["mentor_member_id"])

    async def match_ended(self, match_id: str, facts: dict[str, Any]) -> int:
        await self.matches.update_one(
            {"_id": match_id}, {"$set": {**facts, "ended": True}}, upsert=True
        )
        return await self._recompute(facts["tenant_id"], facts["mentor_member_id"])

    async def _recompute(self, tenant_id: str, mentor_member_id: str) -> int:
        load = 0
        async for match in self.matches.find(
            {"tenant_id": tenant_id, "mentor_member_id": mentor_member_id, "ended": False},
            {"mentee_member_ids": 1},
        ):
            load += len(match.get("mentee_member_ids", []))
        await self.loads.update_one(
            {"_id": mentor_member_id},
            {"$set": {"tenant_id": tenant_id, "load": load}},
            upsert=True,
        )
        return load

    async def load_of(self, member_ids: list[str]) -> dict[str, int]:
        if not member_ids:
            return {}
        # one _id lookup each: FerretDB (SQLite) pushes down _id equality, not $in
        docs = await asyncio.gather(*(self.loads.find_one({"_id": i}) for i in member_ids))
        return {d["_id"]: int(d.get("load", 0)) for d in docs if d is not None}

    async def matched(self, a: str, b: str) -> bool:
        """Whether members ``a`` and ``b`` are mentor and mentee of an active match."""
        query = {
            "ended": False,
            "$or": [
                {"mentor_member_id": a, "mentee_member_ids": b},
                {"mentor_member_id": b, "mentee_member_ids": a},
            ],
        }
        return await self.matches.find_one(query, {"_id": 1}) is not None

    async def partners_of(self, member_id: str, candidates: list[str]) -> set[str]:
        """Which of ``candidates`` share an active match with ``member_id``."""
        if not candidates:
            return set()
        out: set[str] = set()
        async for m in self.matches.find(
            {
                "ended": False,
                "$or": [{"mentor_member_id": member_id}, {"mentee_member_ids": member_id}],
            }
        ):
            out.add(m["mentor_member_id"])
            out.update(m.get("mentee_member_ids", []))
        out.discard(member_id)
        return out & set(candidates)
