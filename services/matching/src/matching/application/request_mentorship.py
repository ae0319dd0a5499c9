"""Use cases: a mentee asks a mentor for mentorship, or asks to join a mentor's group.

The program's rules are checked before anything is written: the program takes requests of
this mode, the mentor is approved and accepting, the pair is not ruled out (organisation,
language, time zones, experience gap) and the mentee has room for another open request.
The mentor's book then decides capacity, pauses and duplicates.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chassis.auth import Principal
from chassis.errors import Conflict, InvalidInput, NotFound
from matching.application.book_changes import MentorBookChanges
from matching.application.lookups import Lookups
from matching.application.ports import MentorshipReadModel, Pools
from matching.application.views import new_id, request_document, request_view
from matching.domain.member_profiles import capacity_of
from matching.domain.mentor_book import OPEN_STATUSES

#: exclusions of the program's pair rules (not those of availability, which the book checks)
PAIR_RULES = (
    "organization_rule",
    "no_shared_language",
    "timezone_too_far",
    "experience_gap_out_of_range",
)


class RequestMentorship:
    def __init__(
        self,
        *,
        changes: MentorBookChanges,
        lookups: Lookups,
        read_models: MentorshipReadModel,
        pools: Pools,
        max_open_requests: int,
    ) -> None:
        self.changes = changes
        self.lookups = lookups
        self.read_models = read_models
        self.pools = pools
        self.max_open_requests = max_open_requests

    async def __call__(
        self,
        principal: Principal,
        program_id: str,
        *,
        mentor_id: str,
        message: str,
        group_id: str | None = None,
    ) -> dict[str, Any]:
        """The new request as its mentee sees it."""
        caller = await self.lookups.caller(principal, program_id)
        mentee_id = caller.require_role("mentee", "ask for mentorship")
        t = caller.tenant_id
        if mentor_id == mentee_id:
            raise InvalidInput("you cannot ask yourself for mentorship", field="mentor_id")
        config = await self.lookups.program(t, program_id)
        _check_program_takes(config, group_id)
        mentor = caller.visible_mentor(await self.lookups.mentor_profile(t, program_id, mentor_id))
        if mentor["user_id"] == principal.user_id:
            raise InvalidInput("you cannot ask yourself for mentorship", field="mentor_id")
        if not mentor.get("mentor_approved"):
            raise Conflict("this mentor is not approved in this program yet")
        if group_id is None and not (mentor.get("snapshot") or {}).get("accepting_mentees"):
            raise Conflict("this mentor is not taking new mentees right now")
        await self._check_pair_rules(t, program_id, mentor_id, mentee_id)
        await self._check_open_requests(t, program_id, mentee_id)
        now = self.lookups.clock()
        request_id = new_id("r")
        expires_at = now + timedelta(hours=int(config["request_response_hours"]))
        capacity = capacity_of(mentor, config)
        book, _ = await self.changes.change(
            t,
            program_id,
            mentor_id,
            lambda book: book.receive_request(
                request_id=request_id,
                mentee_id=mentee_id,
                mentee_user_id=principal.user_id,
                mentor_user_id=mentor["user_id"],
                message=message,
                now=now,
                expires_at=expires_at,
                capacity=capacity,
                group_id=group_id,
            ),
        )
        await self.lookups.touch(t, program_id, mentee_id)
        return request_view(request_document(book, request_id), "mentee")

    async def _check_pair_rules(
        self, tenant_id: str, program_id: str, mentor_id: str, mentee_id: str
    ) -> None:
        pool = self.pools.get(tenant_id, program_id)
        async with pool.lock:
            await self.pools.refresh(pool)
            if mentor_id not in pool.members or mentee_id not in pool.members:
                return
            explanation = pool.explain_pair(mentor_id, mentee_id)
        blocking = [
            text
            for code, text in zip(explanation.excluded_by, explanation.exclusions, strict=True)
            if code in PAIR_RULES
        ]
        if blocking:
            raise Conflict("the program's rules rule out this pair: " + "; ".join(blocking))

    async def _check_open_requests(self, tenant_id: str, program_id: str, mentee_id: str) -> None:
        mine = await self.read_models.member(tenant_id, program_id, mentee_id)
        open_count = sum(
            1
            for e in mine.get("requests", {}).values()
            if e["role"] == "mentee" and e["status"] in OPEN_STATUSES
        )
        if open_count >= self.max_open_requests:
            raise Conflict(
                f"you already have {open_count} open requests; wait for answers or withdraw one"
            )


def _check_program_takes(config: dict[str, Any], group_id: str | None) -> None:
    if config.get("status") == "archived":
        raise Conflict("this program is archived and takes no new requests")
    if group_id is not None and "group" not in config.get("modes", []):
        raise Conflict("this program has no group mentoring")
    if group_id is None and "one_to_one" not in config.get("modes", []):
        raise Conflict("this program has group mentoring only: ask to join a group")


class JoinGroup:
    """A mentee asks to join a group: a request to the group's mentor for a seat."""

    def __init__(self, *, request: RequestMentorship, read_models: MentorshipReadModel) -> None:
        self.request = request
        self.read_models = read_models

    async def __call__(
        self, principal: Principal, program_id: str, group_id: str, *, message: str
    ) -> dict[str, Any]:
        caller = await self.request.lookups.caller(principal, program_id)
        groups = await self.read_models.program_groups(caller.tenant_id, program_id)
        group = groups.get(group_id)
        if group is None:
            raise NotFound("group not found")
        return await self.request(
            principal, program_id, mentor_id=group["mentor_id"], message=message, group_id=group_id
        )
