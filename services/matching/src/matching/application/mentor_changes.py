"""Use cases: end a mentorship, pause or resume taking mentees, open a group."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chassis.auth import Principal
from chassis.errors import Conflict, InvalidInput
from matching.application.book_changes import MentorBookChanges
from matching.application.lookups import Lookups
from matching.application.ports import MentorshipReadModel
from matching.application.views import match_document, new_id
from matching.domain.mentor_book import MentorBook

DEFAULT_END_REASON = {"mentor": "completed", "mentee": "completed", "admin": "admin_ended"}


class EndMentorship:
    """Either side or an admin ends a mentorship, with a reason code."""

    def __init__(self, *, changes: MentorBookChanges, lookups: Lookups) -> None:
        self.changes = changes
        self.lookups = lookups

    async def __call__(
        self, principal: Principal, match_id: str, *, reason: str | None
    ) -> dict[str, Any]:
        doc, caller, side = await self.lookups.match_for(principal, match_id)
        t, p = doc["tenant_id"], doc["program_id"]
        now = self.lookups.clock()
        book, _ = await self.changes.change(
            t,
            p,
            doc["mentor_id"],
            lambda book: book.end_match(
                match_id,
                reason=reason or DEFAULT_END_REASON[side],
                ended_by=side,  # type: ignore[arg-type]
                ended_by_user_id=principal.user_id,
                now=now,
            ),
        )
        await self.lookups.touch(t, p, caller.member_id)
        return {**match_document(book, match_id), "viewer": side}


class _Availability:
    def __init__(self, *, changes: MentorBookChanges, lookups: Lookups) -> None:
        self.changes = changes
        self.lookups = lookups

    async def _change(self, principal: Principal, program_id: str, command: Any) -> dict[str, Any]:
        caller = await self.lookups.caller(principal, program_id)
        mentor_id = caller.require_role("mentor", "pause or resume taking mentees")
        now = self.lookups.clock()
        book, _ = await self.changes.change(
            caller.tenant_id, program_id, mentor_id, lambda book: command(book, now)
        )
        await self.lookups.touch(caller.tenant_id, program_id, mentor_id)
        return {"mentor_id": mentor_id, "paused": book.paused_at(now), "pause": book.pause}


class PauseMentor(_Availability):
    """A mentor stops taking new mentees (until a time, or until they resume)."""

    async def __call__(
        self, principal: Principal, program_id: str, *, until: datetime | None, reason: str | None
    ) -> dict[str, Any]:
        def pause(book: MentorBook, now: datetime) -> None:
            book.pause_intake(until=until, reason=reason, mentor_user_id=principal.user_id, now=now)

        return await self._change(principal, program_id, pause)


class ResumeMentor(_Availability):
    async def __call__(self, principal: Principal, program_id: str) -> dict[str, Any]:
        return await self._change(
            principal, program_id, lambda book, now: book.resume_intake(principal.user_id, now)
        )


class OpenGroup:
    """An approved mentor opens a group with a number of seats."""

    def __init__(
        self, *, changes: MentorBookChanges, lookups: Lookups, read_models: MentorshipReadModel
    ) -> None:
        self.changes = changes
        self.lookups = lookups
        self.read_models = read_models

    async def __call__(
        self,
        principal: Principal,
        program_id: str,
        *,
        title: str,
        description: str | None,
        capacity: int,
    ) -> dict[str, Any]:
        caller = await self.lookups.caller(principal, program_id)
        mentor_id = caller.require_role("mentor", "open a group")
        config = await self.lookups.program(caller.tenant_id, program_id)
        if "group" not in config.get("modes", []):
            raise Conflict("this program has no group mentoring")
        limit = config.get("max_group_size")
        if limit is not None and capacity > int(limit):
            raise InvalidInput(
                f"this program's groups take at most {limit} mentees", field="capacity"
            )
        profile = await self.lookups.mentor_profile(caller.tenant_id, program_id, mentor_id)
        if not profile.get("mentor_approved"):
            raise Conflict("you are not an approved mentor in this program yet")
        group_id = new_id("g")
        now = self.lookups.clock()
        await self.changes.change(
            caller.tenant_id,
            program_id,
            mentor_id,
            lambda book: book.open_group(
                group_id=group_id,
                title=title,
                description=description,
                capacity=capacity,
                mentor_user_id=principal.user_id,
                now=now,
            ),
        )
        await self.lookups.touch(caller.tenant_id, program_id, mentor_id)
        groups = await self.read_models.program_groups(caller.tenant_id, program_id)
        return dict(groups[group_id])
