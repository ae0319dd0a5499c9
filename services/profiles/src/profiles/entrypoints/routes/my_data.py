"""You and your data across the tenant's programs: your memberships, an export of everything
this service holds about you, and erasing it.

Erasure publishes a tombstone per membership so the other services forget you too, and
overwrites the personal data in the stored history (:mod:`profiles.application.privacy`).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal
from profiles.entrypoints.deps import EraseEverythingCase, ExportMyDataCase, ListMyMembershipsCase
from profiles.entrypoints.schemas import DataExport, ErasureReport, MembershipOut

router = APIRouter(prefix="/v1", tags=["profiles"])


@router.get(
    "/me/memberships",
    response_model=list[MembershipOut],
    summary="The programs you are a member of",
)
async def my_memberships(
    principal: CurrentPrincipal, list_mine: ListMyMembershipsCase
) -> list[MembershipOut]:
    return [
        MembershipOut(
            member_id=d["_id"],
            program_id=d["program_id"],
            roles=d["roles"],
            mentor_approved=d["mentor_approved"],
            display_name=d.get("display_name"),
            application=d.get("application"),
        )
        for d in await list_mine(principal)
    ]


@router.get(
    "/me/export",
    response_model=DataExport,
    summary="Everything this service holds about you (JSON)",
)
async def export_my_data(principal: CurrentPrincipal, export: ExportMyDataCase) -> JSONResponse:
    data = await export(principal)
    return JSONResponse(
        data,
        headers={"Content-Disposition": 'attachment; filename="profiles-export.json"'},
    )


@router.post(
    "/me/erasure",
    response_model=ErasureReport,
    summary="Erase your profiles in every program of this tenant",
    description="Publishes an erasure tombstone on profile-changed for each membership and "
    "overwrites the personal data in the stored history.",
)
async def erase_my_data(principal: CurrentPrincipal, erase: EraseEverythingCase) -> ErasureReport:
    erased = await erase(principal)
    return ErasureReport(erased_member_ids=erased)
