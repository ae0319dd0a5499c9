"""Use case: bulk-add members from an import file (rows parsed by :mod:`imports`).

Every row is checked on its own with the same rules as a join; the valid ones are
appended in bulk (one round trip per batch, no look-up of who exists first: the event
store refuses an existing member's stream, and that row is reported as rejected).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from chassis.auth import Principal
from chassis.errors import Conflict, InvalidInput
from profiles import contracts_mapping
from profiles.application.access import Access, program_facts
from profiles.application.imports import ImportRow
from profiles.application.joining import ALREADY_A_MEMBER
from profiles.application.ports import MemberRepository, Projection
from profiles.domain.member import Member, member_id_for
from profiles.domain.program import Program

log = logging.getLogger("profiles.import")
IMPORT_BATCH = 1000


@dataclass(frozen=True)
class ImportMembers:
    access: Access
    members: MemberRepository
    projection: Projection

    async def __call__(
        self, principal: Principal, program_id: str, rows: list[ImportRow], *, dry_run: bool
    ) -> dict[str, Any]:
        program = await self.access.program_for(principal, program_id)
        await self.access.require_admin(program, principal, "import members")
        program.check_open_for_joining()
        ready = _check_rows(program, rows)
        created = {} if dry_run else await self._append(program, ready)
        report_rows = [
            r for r in (_report_row(row, created, dry_run=dry_run) for row in rows) if r is not None
        ]
        return {
            "program_id": program.program_id,
            "dry_run": dry_run,
            "received": len(rows),
            "created": len(created),
            "rejected": sum(1 for r in report_rows if r["status"] == "rejected"),
            "rows": report_rows,
        }

    async def _append(
        self, program: Program, ready: list[tuple[ImportRow, Member]]
    ) -> dict[int, str]:
        """Append the new members' streams in batches; project them in bulk."""
        created: dict[int, str] = {}
        for start in range(0, len(ready), IMPORT_BATCH):
            batch = ready[start : start + IMPORT_BATCH]
            async with self.projection.appending({m.member_id for _, m in batch}):
                existed = await self.members.save_new(
                    [m for _, m in batch],
                    messages=lambda m: contracts_mapping.member_messages(m, program),
                    tenant_id=program.tenant_id,
                )
                existing = {m.member_id for m in existed}
                for row, member in batch:
                    if member.member_id in existing:
                        row.reject("user_id", ALREADY_A_MEMBER)
                    else:
                        created[row.number] = member.member_id
                fresh = [m for row, m in batch if row.number in created]
                try:
                    await self.projection.members_imported(fresh, program)
                except Exception:  # the appends stand; the projector's tail catches up
                    log.exception("bulk projection failed (the projector will catch up)")
        return created


def _check_rows(program: Program, rows: list[ImportRow]) -> list[tuple[ImportRow, Member]]:
    """Rows that may join, each with its new member; the others get their errors."""
    facts = program_facts(program)
    seen: dict[str, int] = {}
    ready: list[tuple[ImportRow, Member]] = []
    for row in rows:
        if row.user_id is not None and not row.errors:
            if row.user_id in seen:
                row.reject("user_id", f"duplicate of row {seen[row.user_id]}")
            else:
                seen[row.user_id] = row.number
        if row.errors:
            continue
        org = row.organization_id or program.organization_id
        if not facts.admits(org):
            row.reject("organization_id", f"organization {org!r} is not a partner")
            continue
        assert row.user_id is not None
        member = Member(member_id_for(program.tenant_id, program.program_id, row.user_id))
        try:
            member.join(
                program,
                user_id=row.user_id,
                organization_id=org,
                roles=row.roles,
                via="import",
                fields=row.fields,
                custom=row.custom,
            )
        except (InvalidInput, Conflict) as exc:
            row.reject(exc.field or "row", exc.detail)
            continue
        ready.append((row, member))
    return ready


def _report_row(row: ImportRow, created: dict[int, str], *, dry_run: bool) -> dict[str, Any] | None:
    if row.errors:
        return {
            "row": row.number,
            "user_id": row.user_id,
            "status": "rejected",
            "errors": row.errors,
        }
    if dry_run:
        return {"row": row.number, "user_id": row.user_id, "status": "valid"}
    if row.number in created:
        return {
            "row": row.number,
            "user_id": row.user_id,
            "status": "created",
            "member_id": created[row.number],
        }
    return None
