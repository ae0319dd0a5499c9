"""Queries of the recommendations: a mentee's ranked mentors, and why (not) a pair."""

from __future__ import annotations

import asyncio
from typing import Any

from chassis.auth import Principal
from chassis.errors import Forbidden, NotFound
from matching.application.access import Access
from matching.application.ports import MentorApplications, MentorshipReadModel, Pools
from matching.domain.explanations import shared_items, with_application_state
from matching.domain.member_profiles import explanation_payload


class RecommendationQueries:
    def __init__(
        self,
        *,
        read_models: MentorshipReadModel,
        applications: MentorApplications,
        pools: Pools,
        access: Access,
    ) -> None:
        self.read_models = read_models
        self.applications = applications
        self.pools = pools
        self.access = access

    async def recommendations(
        self, principal: Principal, program_id: str, *, limit: int
    ) -> dict[str, Any]:
        caller = await self.access.caller(principal, program_id)
        mentee_id = caller.require_member()
        if "mentee" not in caller.roles:
            raise Forbidden("recommendations are for the program's mentees")
        return await self._recommendations_of(caller.tenant_id, program_id, mentee_id, limit)

    async def recommendations_for(
        self, principal: Principal, program_id: str, mentee_id: str, *, limit: int
    ) -> dict[str, Any]:
        """An admin's view of one mentee's recommendations."""
        caller = await self.access.caller(principal, program_id)
        if caller.member_id != mentee_id:
            caller.require_admin("see other members' recommendations")
        return await self._recommendations_of(caller.tenant_id, program_id, mentee_id, limit)

    async def _recommendations_of(
        self, tenant_id: str, program_id: str, mentee_id: str, limit: int
    ) -> dict[str, Any]:
        doc = await self.read_models.recommendation(tenant_id, program_id, mentee_id)
        member = await self.read_models.member(tenant_id, program_id, mentee_id)
        asked = {
            e["other"]: rid
            for rid, e in member.get("requests", {}).items()
            if e["role"] == "mentee" and e["status"] in ("open", "info_requested")
        }
        matched = {
            e["other"]: mid
            for mid, e in member.get("matches", {}).items()
            if e["role"] == "mentee" and e["status"] == "active"
        }
        items = list((doc or {}).get("items", []))[:limit]
        # Last activity changes too often to live in the list: one point read per mentor.
        activity = await asyncio.gather(
            *(self.read_models.member(tenant_id, program_id, item["mentor_id"]) for item in items)
        )
        return {
            "program_id": program_id,
            "mentee_id": mentee_id,
            "status": "ready" if doc is not None else "pending",
            "updated_at": (doc or {}).get("updated_at"),
            "mentee_profile_version": (doc or {}).get("mentee_profile_version"),
            "items": [
                {
                    **item,
                    "mentor_last_active_at": act.get("last_active_at"),
                    "open_request_id": asked.get(item["mentor_id"]),
                    "match_id": matched.get(item["mentor_id"]),
                }
                for item, act in zip(items, activity, strict=True)
            ],
        }

    async def explain_pair(
        self, principal: Principal, program_id: str, mentor_id: str, mentee_id: str | None
    ) -> dict[str, Any]:
        """Why a mentor is (or is not) a match for the caller (or, for admins, a mentee)."""
        caller = await self.access.caller(principal, program_id)
        mentee_id = mentee_id or caller.require_member()
        if mentee_id != caller.member_id:
            caller.require_admin("explain pairs of other members")
        pool = self.pools.get(caller.tenant_id, program_id)
        async with pool.lock:
            await self.pools.refresh(pool)
            if mentor_id not in pool.members or not caller.sees_mentor(pool.members[mentor_id].doc):
                raise NotFound("mentor not found in this program")
            if mentee_id not in pool.members:
                raise NotFound("mentee not found in this program")
            explanation = pool.explain_pair(mentor_id, mentee_id)
            shared = shared_items(
                pool.members[mentor_id].prepared, pool.members[mentee_id].prepared
            )
        if "mentor_not_approved" in explanation.excluded_by:  # pending, or rejected?
            application = await self.applications.mentor_application(
                caller.tenant_id, program_id, mentor_id
            )
            state = None if application is None else str(application["state"])
            explanation = with_application_state(explanation, state)
        payload = explanation_payload(explanation, shared)
        return {
            "mentor_id": mentor_id,
            "mentee_id": mentee_id,
            "feasible": explanation.feasible,
            "score": None if explanation.score is None else round(explanation.score, 4),
            "explanation": payload,
        }
