"""Who reads a program's library and who administers it (the chassis policy).

The library is the program's: its active members read it, its admins see coverage.
Anyone else, including a same-organisation colleague who has not joined, finds nothing
(404), so a program's library does not reveal that it exists. The service knows members
and programs only from profiles' events (its directory).
"""

from __future__ import annotations

from dataclasses import dataclass

from chassis.access import standing
from chassis.auth import Principal
from chassis.errors import Forbidden, NotFound
from knowledge.adapters.directory import DirectoryMember
from knowledge.application.ports import Directory


@dataclass(frozen=True)
class Reader:
    principal: Principal
    program_id: str
    member: DirectoryMember | None
    admin: bool

    @property
    def tenant_id(self) -> str:
        return self.principal.tenant_id

    @property
    def user_id(self) -> str:
        return self.principal.user_id


class LibraryAccess:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    async def reader(self, principal: Principal, program_id: str) -> Reader:
        """The caller as a reader of the program's library, or 404."""
        member = await self.directory.member(principal.tenant_id, program_id, principal.user_id)
        program = await self.directory.program(principal.tenant_id, program_id)
        seen = standing(principal, program, member.roles if member else None)
        if not (seen.member or seen.admin):
            raise NotFound("no such program library")
        return Reader(principal, program_id, member, seen.admin)

    async def admin(self, principal: Principal, program_id: str) -> Reader:
        reader = await self.reader(principal, program_id)
        if not reader.admin:
            raise Forbidden("only admins of this program see its coverage")
        return reader
