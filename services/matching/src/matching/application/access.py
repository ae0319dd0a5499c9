"""Who is calling, inside which program: the token's principal joined with membership.

The rules are the platform's one access policy (:mod:`chassis.access`), the same profiles
applies, fed with what matching knows: the program's tenant and organisations from its
``program-changed`` configuration, the caller's member id and roles from the membership
index. Everything is looked up under the token's tenant, so an id from another tenant is
simply not found (404), never forbidden (403): ids don't leak across tenants.

Matching holds nothing a program shows to non-members (profiles answers for the program
itself), so a caller who is neither a member nor an admin of the program gets 404 here,
including an ``org_admin`` of a partner or unrelated organisation. Mentors are shown as
mentors (card, explanations, requests to them) only once approved, except to themselves
and the program's admins (:meth:`Caller.sees_mentor`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chassis import access as policy
from chassis.auth import Principal
from chassis.errors import Forbidden, NotFound
from matching.application.ports import Memberships

ID_MAX = 128


@dataclass(frozen=True)
class Caller:
    principal: Principal
    program_id: str
    member_id: str | None  # None: an admin of the program who is not a member of it
    roles: frozenset[str]
    admin: bool = False  # from the policy: owning organisation's org_admin or role admin

    @property
    def tenant_id(self) -> str:
        return self.principal.tenant_id

    @property
    def user_id(self) -> str:
        return self.principal.user_id

    @property
    def is_admin(self) -> bool:
        return self.admin

    @property
    def viewer(self) -> policy.Viewer:
        return policy.Viewer(member_id=self.member_id, admin=self.admin)

    def require_member(self) -> str:
        if self.member_id is None:
            raise Forbidden("you are not a member of this program")
        return self.member_id

    def require_role(self, role: str, action: str) -> str:
        member_id = self.require_member()
        if role not in self.roles:
            raise Forbidden(f"only {role}s of this program can {action}")
        return member_id

    def require_admin(self, action: str) -> None:
        if not self.is_admin:
            raise Forbidden(f"only an organization or program admin can {action}")

    def sees_mentor(self, profile: Mapping[str, Any] | None) -> bool:
        """Whether this caller sees the member of ``profile`` (a profile document) as a
        mentor: approved, or it is the caller themselves, or the caller is an admin."""
        if profile is None or profile.get("erased"):
            return False
        mentor = policy.MemberFacts.of(
            str(profile.get("member_id", "")),
            profile.get("roles", ()),
            bool(profile.get("mentor_approved")),
        )
        return policy.mentor_visible_to(self.viewer, mentor)

    def visible_mentor(self, profile: dict[str, Any]) -> dict[str, Any]:
        """``profile`` if :meth:`sees_mentor`, else 404 as for a mentor that isn't there."""
        if not self.sees_mentor(profile):
            raise NotFound("mentor not found in this program", field="mentor_id")
        return profile


def program_facts(doc: Mapping[str, Any] | None) -> policy.ProgramFacts | None:
    """The policy's view of a stored ``program-changed`` configuration."""
    if doc is None:
        return None
    config = doc.get("config") or {}
    return policy.ProgramFacts.of(
        str(doc["tenant_id"]),
        str(config.get("organization_id", "")),
        config.get("partner_organization_ids") or (),
    )


class Access:
    def __init__(self, store: Memberships) -> None:
        self.store = store

    async def caller(self, principal: Principal, program_id: str) -> Caller:
        if not program_id or len(program_id) > ID_MAX:
            raise NotFound("program not found")
        tenant = principal.tenant_id
        program, membership = await asyncio.gather(
            self.store.program(tenant, program_id),
            self.store.membership(tenant, program_id, principal.user_id),
        )
        roles = frozenset(membership["roles"]) if membership is not None else None
        standing = policy.standing(principal, program_facts(program), roles)
        if not standing.sees_members:
            raise NotFound("program not found (or you are not a member of it)")
        member_id = membership["member_id"] if membership is not None else None
        return Caller(principal, program_id, member_id, roles or frozenset(), standing.admin)
