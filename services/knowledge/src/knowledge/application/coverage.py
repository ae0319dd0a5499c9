"""Knowledge continuity for admins: which expertise areas the library covers, which are
thin, and which mentors could fill them.

Areas are what the program's mentors list as expertise, plus what entries were filed
under; an entry counts for an area when it is its expertise area or one of its topics
(near-duplicates count once). Mentors who could fill an area are the active, approved
mentors with that expertise, as profiles last published them, who are not paused now
(matching's ``mentor-paused``): a paused mentor takes no new mentees, so naming them for a
gap would send admins to someone who cannot help. A pause whose end has passed no longer
counts, since matching publishes no resume when a pause ends by itself. A paused mentor's
expertise still names an area (it is the program's), but ``mentors`` and ``could_fill``
count only who is available.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chassis.auth import Principal
from knowledge.application.access import LibraryAccess
from knowledge.application.ports import Directory, Index
from knowledge.domain.drafting import normalise_tag

MAX_CANDIDATES = 10


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Coverage:
    def __init__(
        self,
        access: LibraryAccess,
        directory: Directory,
        index: Index,
        *,
        covered_at: int,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.access, self.directory, self.index = access, directory, index
        self.covered_at, self.clock = covered_at, clock

    async def __call__(self, principal: Principal, program_id: str) -> dict[str, Any]:
        await self.access.admin(principal, program_id)
        tenant = principal.tenant_id
        mentors = [
            m
            for m in await self.directory.members_of(tenant, program_id)
            if m.mentor and m.mentor_approved
        ]
        clusters: dict[str, set[str]] = {}
        entries = self.index.program_entries(tenant, program_id)
        filed = {e.expertise_area for e in entries if e.expertise_area}
        for entry in entries:
            for area in {
                *(entry.topics or []),
                *([entry.expertise_area] if entry.expertise_area else []),
            }:
                clusters.setdefault(area, set()).add(entry.cluster)
        experts: dict[str, list[dict[str, Any]]] = {}
        now = self.clock()
        for mentor in mentors:
            paused = mentor.paused_at(now)
            for area in dict.fromkeys(normalise_tag(e) for e in mentor.expertise):
                available = experts.setdefault(area, [])  # the area exists either way
                if not paused:
                    available.append(
                        {
                            "member_id": mentor.member_id,
                            "user_id": mentor.user_id,
                            "display_name": mentor.display_name,
                        }
                    )
        areas: list[dict[str, Any]] = []
        for area in sorted(set(experts) | filed):
            count = len(clusters.get(area, ()))
            status = "covered" if count >= self.covered_at else ("thin" if count else "missing")
            people = sorted(experts.get(area, []), key=lambda p: p["display_name"])
            areas.append(
                {
                    "area": area,
                    "entries": count,
                    "status": status,
                    "mentors": len(people),
                    "could_fill": people[:MAX_CANDIDATES] if status != "covered" else [],
                }
            )
        order = {"missing": 0, "thin": 1, "covered": 2}
        areas.sort(key=lambda a: (order[a["status"]], -a["mentors"], a["area"]))
        return {"program_id": program_id, "covered_at": self.covered_at, "areas": areas}
