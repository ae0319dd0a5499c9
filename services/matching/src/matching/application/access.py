"""Who is calling, inside which program: the token's principal joined with membership.

Everything is looked up under the token's tenant, so an id from another tenant is simply
not found (404), never forbidden (403): ids don't leak across tenants.
"""

from __future__ import annotations

from dataclasses import dataclass

from chassis.auth import Principal
from chassis.errors import Forbidden, NotFound
from matching.adapters.projections import ProjectionStore

ID_MAX = 128


@dataclass(frozen=True)
class Caller:
    principal: Principal
    program_id: str
    member_id: str | None  # None: an organization admin who is not a member
    roles: frozenset[str]

    @property
    def tenant_id(self) -> str:
        return self.principal.tenant_id

    @property
    def user_id(self) -> str:
        return self.principal.user_id

    @property
    def is_admin(self) -> bool:
        return self.principal.is_org_admin or "admin" in self.roles

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


class Access:
    def __init__(self, store: ProjectionStore) -> None:
        self.store = store

    async def caller(self, principal: Principal, program_id: str) -> Caller:
        if not program_id or len(program_id) > ID_MAX:
            raise NotFound("program not found")
        membership = await self.store.membership(principal.tenant_id, program_id, principal.user_id)
        if membership is not None:
            return Caller(
                principal, program_id, membership["member_id"], frozenset(membership["roles"])
            )
        if principal.is_org_admin and (
            await self.store.program(principal.tenant_id, program_id) is not None
        ):
            return Caller(principal, program_id, None, frozenset())
        raise NotFound("program not found (or you are not a member of it)")
