"""Queries of the mentorship lifecycle: requests, mentorships, groups, a mentor's card.

They read the read models only (one point read per list: the member's summary), never a
mentor's book.
"""

from __future__ import annotations

import asyncio
from typing import Any

from chassis.auth import Principal
from chassis.errors import NotFound
from matching.application.access import Caller
from matching.application.lookups import Lookups
from matching.application.ports import MentorshipReadModel, Profiles
from matching.application.views import paginate, request_view, status_matches
from matching.domain.member_profiles import capacity_of, is_paused


class MentorshipQueries:
    def __init__(
        self, *, lookups: Lookups, read_models: MentorshipReadModel, profiles: Profiles
    ) -> None:
        self.lookups = lookups
        self.read_models = read_models
        self.profiles = profiles

    async def get_request(self, principal: Principal, request_id: str) -> dict[str, Any]:
        doc, _, side = await self.lookups.request_for(principal, request_id)
        return request_view(doc, side)

    async def list_requests(
        self,
        principal: Principal,
        program_id: str,
        *,
        role: str | None,
        status: str | None,
        cursor: str | None,
        limit: int,
    ) -> dict[str, Any]:
        caller, entries = await self._entries(principal, program_id, "requests")
        rows = [
            {"request_id": rid, **_without_other(e), "other_member_id": e["other"]}
            for rid, e in entries.items()
            if (role is None or e["role"] == role) and status_matches(e["status"], status)
        ]
        page = paginate(rows, "requested_at", "request_id", cursor, limit)
        page["items"] = await self._with_who_and_what(caller.tenant_id, program_id, page["items"])
        return page

    async def _with_who_and_what(
        self, tenant_id: str, program_id: str, rows: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Each listed request with who the other side is (their name and headline, as
        the program may see them) and the mentee's message: the two parties read it
        anyway, and a mentor's inbox should not need a call per request. Two point reads
        per item of the page."""
        profiles, requests = await asyncio.gather(
            asyncio.gather(
                *(self.profiles.profile(tenant_id, program_id, r["other_member_id"]) for r in rows)
            ),
            asyncio.gather(*(self.read_models.request(r["request_id"]) for r in rows)),
        )
        out = []
        for row, other, request in zip(rows, profiles, requests, strict=True):
            snapshot = (other or {}).get("snapshot") or {}
            out.append(
                {
                    **row,
                    "other_display_name": snapshot.get("display_name"),
                    "other_headline": snapshot.get("headline"),
                    "message": (request or {}).get("message"),
                }
            )
        return out

    async def get_match(self, principal: Principal, match_id: str) -> dict[str, Any]:
        doc, _, side = await self.lookups.match_for(principal, match_id)
        return {**{k: v for k, v in doc.items() if k not in ("_id", "tenant_id")}, "viewer": side}

    async def list_matches(
        self,
        principal: Principal,
        program_id: str,
        *,
        status: str | None,
        cursor: str | None,
        limit: int,
    ) -> dict[str, Any]:
        _, entries = await self._entries(principal, program_id, "matches")
        rows = [
            {"match_id": mid, **_without_other(e), "other_member_id": e["other"]}
            for mid, e in entries.items()
            if status is None or e["status"] == status
        ]
        return paginate(rows, "started_at", "match_id", cursor, limit)

    async def _entries(
        self, principal: Principal, program_id: str, kind: str
    ) -> tuple[Caller, dict[str, dict[str, Any]]]:
        caller = await self.lookups.caller(principal, program_id)
        member_id = caller.require_member()
        member = await self.read_models.member(caller.tenant_id, program_id, member_id)
        return caller, dict(member.get(kind, {}))

    async def list_groups(
        self, principal: Principal, program_id: str, *, cursor: str | None, limit: int
    ) -> dict[str, Any]:
        caller = await self.lookups.caller(principal, program_id)
        groups = await self.read_models.program_groups(caller.tenant_id, program_id)
        return paginate(list(groups.values()), "opened_at", "group_id", cursor, limit)

    async def get_group(
        self, principal: Principal, program_id: str, group_id: str
    ) -> dict[str, Any]:
        caller = await self.lookups.caller(principal, program_id)
        group = (await self.read_models.program_groups(caller.tenant_id, program_id)).get(group_id)
        if group is None:
            raise NotFound("group not found")
        return dict(group)

    async def mentor_card(
        self, principal: Principal, program_id: str, mentor_id: str
    ) -> dict[str, Any]:
        """Availability, free slots and last activity; why the platform paused them is for
        the mentor to read, not for mentees."""
        caller = await self.lookups.caller(principal, program_id)
        t = caller.tenant_id
        profile = caller.visible_mentor(await self.lookups.mentor_profile(t, program_id, mentor_id))
        program = await self.profiles.program(t, program_id)
        capacity = capacity_of(profile, program["config"] if program else None)
        load = int(profile.get("load", 0))
        activity = await self.read_models.member(t, program_id, mentor_id)
        snap = profile.get("snapshot") or {}
        paused = is_paused(profile, self.lookups.clock())
        pause = (profile.get("pause") or {}) if paused else {}
        own = profile["user_id"] == principal.user_id
        return {
            "mentor_id": mentor_id,
            "user_id": profile["user_id"],
            "display_name": snap.get("display_name"),
            "headline": snap.get("headline"),
            "approved": bool(profile.get("mentor_approved")),
            "accepting_mentees": bool(snap.get("accepting_mentees")) and not paused,
            "paused": paused,
            "pause_until": pause.get("until"),
            "pause_reason": pause.get("reason"),
            "pause_note": pause.get("note") if own else None,
            "capacity": capacity,
            "active_mentees": load,
            "free_slots": max(capacity - load, 0),
            "last_active_at": activity.get("last_active_at"),
        }


def _without_other(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "other"}
