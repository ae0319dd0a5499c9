"""Use case: search a program's members (the index holds program-visible fields only)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from chassis.auth import Principal
from chassis.errors import Forbidden, InvalidInput
from profiles.application.access import Access
from profiles.application.ports import MentorLoads, ReadModels, SearchFilters, SearchIndex
from profiles.domain.program import Program


@dataclass(frozen=True)
class SearchMembers:
    access: Access
    index: SearchIndex
    read_models: ReadModels
    loads: MentorLoads

    async def __call__(
        self,
        principal: Principal,
        program_id: str,
        text: str | None,
        filters: SearchFilters,
        *,
        limit: int,
        cursor: str | None,
    ) -> dict[str, Any]:
        program = await self.access.program_for(principal, program_id)
        me, seen = await self.access.require_member_or_admin(program, principal)
        if filters.approved is False and not seen.admin:
            raise Forbidden(
                "only admins of this program can list unapproved mentors", field="approved"
            )
        filters = replace(filters, custom=_custom_terms(program, filters), admin_view=seen.admin)
        page = self.index.search(
            principal.tenant_id, program.program_id, text, filters, limit=limit, cursor=cursor
        )
        ids = [member_id for member_id, _ in page.hits]
        docs = await self.read_models.members_by_id(ids)
        loads = await self.loads.load_of(ids)
        partners = await self.loads.partners_of(me.member_id, ids) if me.active else set()
        results = []
        for member_id, score in page.hits:
            doc = docs.get(member_id)
            if doc is None or doc.get("status") != "active" or not doc.get("views"):
                continue
            view = doc["views"]["matched" if member_id in partners else "member"]
            results.append(
                {
                    "member_id": member_id,
                    "user_id": doc["user_id"],
                    "organization_id": doc["organization_id"],
                    "roles": doc["roles"],
                    "mentor_approved": doc["mentor_approved"],
                    "score": round(score, 4),
                    "current_load": loads.get(member_id, 0),
                    "profile": view,
                }
            )
        return {"results": results, "total": page.total, "next_cursor": page.next_cursor}


def _custom_terms(program: Program, filters: SearchFilters) -> list[tuple[str, str]]:
    """``key:value`` filters checked against the program's custom fields, in index form."""
    defined = {f.key: f for f in program.require_spec().custom_fields}
    terms = []
    for key, value in filters.custom:
        definition = defined.get(key)
        if definition is None:
            raise InvalidInput(f"unknown custom field {key!r}", field="custom")
        normalised = definition.coerce(value)
        if isinstance(normalised, list):
            normalised = normalised[0] if normalised else ""
        text = f"{normalised:g}" if isinstance(normalised, float) else str(normalised).casefold()
        terms.append((key, " ".join(text.split())))
    return terms
