"""Saving what a command recorded: one commit with its integration events, then the
read models (read-your-writes on this replica).

The commit is the outcome: a concurrent writer makes it a 409/412 and nothing of it is
stored. The projection after it is best effort: if it fails, the append stands and the
projector's tail repairs the read models.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass

from chassis.errors import Conflict, PreconditionFailed
from chassis.eventstore import ConcurrencyError
from profiles import contracts_mapping
from profiles.application.ports import MemberRepository, ProgramRepository, Projection
from profiles.domain.member import Member
from profiles.domain.program import Program

log = logging.getLogger("profiles.saving")


@dataclass(frozen=True)
class Save:
    programs: ProgramRepository
    members: MemberRepository
    projection: Projection

    async def program(self, program: Program, *, reindex_members: bool = False) -> None:
        if not program.pending:
            return
        try:
            await self.programs.save(program, messages=contracts_mapping.program_messages(program))
        except ConcurrencyError as exc:
            raise PreconditionFailed(
                "the program changed meanwhile; reload it and apply your change again"
            ) from exc
        await _best_effort(self.projection.program_saved(program, reindex_members=reindex_members))

    async def member(
        self, member: Member, program: Program, *, conflict: str | None = None
    ) -> None:
        """``conflict``: the 409 detail when a concurrent writer wins (default: 412)."""
        if not member.pending:
            return
        try:
            await self.members.save(
                member, messages=contracts_mapping.member_messages(member, program)
            )
        except ConcurrencyError as exc:
            if conflict is not None:
                raise Conflict(conflict) from exc
            raise PreconditionFailed(
                "the profile changed meanwhile; reload it (GET) and retry with the new ETag"
            ) from exc
        await _best_effort(self.projection.member_saved(member, program))


async def _best_effort(projection: Awaitable[None]) -> None:
    try:
        await projection
    except Exception:  # the append stands; the projector's tail repairs the read model
        log.exception("fast-path projection failed (the projector will catch up)")
