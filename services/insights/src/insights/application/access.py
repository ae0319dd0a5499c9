"""Who is calling, in which program and mentorship: the platform's one access policy
(:mod:`chassis.access`) fed with what insights learnt from the topics.

The program's tenant and organisations come from its ``program-changed`` configuration,
the caller's membership and roles from ``profile-changed``, the people of a mentorship
from ``match-made``; all of it is looked up under the token's tenant, so another tenant's
ids are simply not found (404). A program's reports are for its admins (403 for anyone
else who sees the program); a mentorship's goals and check-ins are for its own people
(404 for everyone else, so match ids don't leak), and its admins read their aggregates.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from chassis import access as policy
from chassis.auth import Principal
from chassis.errors import Forbidden, NotFound
from insights.application.ports import Buckets
from insights.domain.projection import Target

ID_MAX = 128


@dataclass(frozen=True)
class Caller:
    principal: Principal
    program_id: str
    admin: bool
    member: bool

    @property
    def tenant_id(self) -> str:
        return self.principal.tenant_id

    @property
    def user_id(self) -> str:
        return self.principal.user_id

    def require_admin(self, action: str) -> None:
        if not self.admin:
            raise Forbidden(f"only an organization or program admin can {action}")


@dataclass(frozen=True)
class Pair:
    """A caller inside a mentorship they belong to."""

    caller: Caller
    match_id: str
    mentorship: dict[str, Any]

    @property
    def role(self) -> str:
        return "mentor" if self.mentorship["mentor"] == self.caller.user_id else "mentee"

    @property
    def people(self) -> list[str]:
        return [self.mentorship["mentor"], *self.mentorship["mentees"]]

    def require_open(self) -> None:
        from chassis.errors import Conflict

        if self.mentorship["ended"]:
            raise Conflict("this mentorship has ended")


def _program_facts(tenant_id: str, config: dict[str, Any] | None) -> policy.ProgramFacts | None:
    if config is None:
        return None
    return policy.ProgramFacts.of(tenant_id, config["org"], config.get("partners", ()))


class Access:
    def __init__(self, buckets: Buckets) -> None:
        self.buckets = buckets

    async def _entry(self, target: Target) -> dict[str, Any] | None:
        return (await self.buckets.read(target.bucket)).get(target.key)

    async def caller(self, principal: Principal, program_id: str) -> Caller:
        if not program_id or len(program_id) > ID_MAX:
            raise NotFound("program not found")
        tenant = principal.tenant_id
        config, member = await asyncio.gather(
            self._entry(Target(tenant, program_id, "program", "config")),
            self._entry(Target(tenant, program_id, "members", principal.user_id)),
        )
        roles = member["r"] if member is not None and member["v"] and not member["x"] else None
        standing = policy.standing(principal, _program_facts(tenant, config), roles)
        if not standing.visible:
            raise NotFound("program not found")
        return Caller(principal, program_id, admin=standing.admin, member=standing.member)

    async def admin(self, principal: Principal, program_id: str, action: str) -> Caller:
        caller = await self.caller(principal, program_id)
        caller.require_admin(action)
        return caller

    async def pair(self, principal: Principal, program_id: str, match_id: str) -> Pair:
        """The caller as one of the mentorship's people, or 404."""
        caller = await self.caller(principal, program_id)
        if not match_id or len(match_id) > ID_MAX:
            raise NotFound("mentorship not found", field="match_id")
        mentorship = await self._entry(
            Target(caller.tenant_id, program_id, "mentorships", match_id)
        )
        if mentorship is None or not mentorship["made"]:
            raise NotFound("mentorship not found", field="match_id")
        if caller.user_id not in (mentorship["mentor"], *mentorship["mentees"]):
            raise NotFound("mentorship not found", field="match_id")
        return Pair(caller, match_id, mentorship)
