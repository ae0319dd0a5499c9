"""The mentors offered to a mentee after a decline or an expiry: their best ones they have
not asked yet and who can take them (from the program's live pool)."""

from __future__ import annotations

from typing import Any

from matching.application.ports import MentorshipReadModel, Pools
from matching.domain.mentor_book import OPEN_STATUSES


class NextBestMentors:
    def __init__(self, *, read_models: MentorshipReadModel, pools: Pools, count: int) -> None:
        self.read_models = read_models
        self.pools = pools
        self.count = count

    async def __call__(
        self, tenant_id: str, program_id: str, mentee_id: str, exclude: set[str]
    ) -> list[dict[str, Any]] | None:
        """None when offers are switched off (``MATCHING_NEXT_BEST_COUNT=0``)."""
        if not self.count:
            return None
        member = await self.read_models.member(tenant_id, program_id, mentee_id)
        taken = {
            e["other"]
            for e in member.get("requests", {}).values()
            if e["role"] == "mentee" and e["status"] in OPEN_STATUSES
        } | {
            e["other"]
            for e in member.get("matches", {}).values()
            if e["role"] == "mentee" and e["status"] == "active"
        }
        pool = self.pools.get(tenant_id, program_id)
        out: list[dict[str, Any]] = []
        async with pool.lock:
            await self.pools.refresh(pool)
            if mentee_id not in pool.members:
                return []
            for mentor_id, score in pool.ranked(mentee_id, pool.depth):
                if mentor_id in exclude or mentor_id in taken:
                    continue
                mentor = pool.members[mentor_id]
                out.append(
                    {
                        "mentor_id": mentor_id,
                        "mentor_user_id": mentor.user_id,
                        "display_name": mentor.display_name,
                        "score": round(score, 4),
                        "summary": pool.explanation(mentor_id, mentee_id)["summary"],
                    }
                )
                if len(out) >= self.count:
                    break
        return out
