"""What several use cases read first: a mentorship, a mentor's rules and busy time."""

from __future__ import annotations

from dataclasses import dataclass

from chassis.auth import Principal
from chassis.errors import Conflict, NotFound
from scheduling.application.ports import Calendars, MeetingIndex, Pair, Pairs
from scheduling.domain.availability import Availability
from scheduling.domain.meeting import Meeting
from scheduling.domain.slots import Busy

#: how far around a time busy meetings matter: a week either side covers the week limit
AROUND = 8 * 86400


def calendar_id(tenant: str, user: str) -> str:
    return f"calendar-{tenant}-{user}"


def meeting_stream(meeting_id: str) -> str:
    return f"meeting-{meeting_id}"


def busy_of(meetings: list[Meeting], *, besides: str | None = None) -> list[Busy]:
    return [
        Busy(m.starts_at, m.ends_at, counted=m.kind == "one_to_one")
        for m in meetings
        if m.meeting_id != besides and m.status != "cancelled"
    ]


@dataclass(frozen=True)
class Context:
    pairs: Pairs
    calendars: Calendars
    index: MeetingIndex

    async def mentorship(self, principal: Principal, match_id: str) -> Pair:
        """The caller's active mentorship ``match_id`` (404 if they are not in it)."""
        pair = await self.pairs.get(principal.tenant_id, match_id)
        if pair is None or principal.user_id not in (pair.mentor, *pair.mentees):
            raise NotFound(f"you have no mentorship {match_id!r}", field="match_id")
        if not pair.active:
            raise Conflict("this mentorship has ended", field="match_id")
        return pair

    async def availability(self, tenant: str, user: str) -> Availability | None:
        return (await self.calendars.load(calendar_id(tenant, user))).availability

    async def mentor_rules(self, tenant: str, mentor: str) -> Availability:
        availability = await self.availability(tenant, mentor)
        if availability is None:
            raise Conflict("the mentor has not published their availability yet")
        return availability

    async def busy(
        self, tenant: str, owner: str, start: int, end: int, *, besides: str | None = None
    ) -> list[Busy]:
        found = await self.index.organized_by(tenant, owner, start - AROUND, end + AROUND)
        return busy_of(found, besides=besides)
