"""Who you are: what the bearer token says, so a client can show it without decoding the JWT."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from chassis.auth import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["profiles"])


class Me(BaseModel):
    user_id: str
    tenant_id: str
    organization_id: str
    roles: list[str]


@router.get("/me", summary="Who the bearer token says you are")
async def me(principal: CurrentPrincipal) -> Me:
    return Me(
        user_id=principal.user_id,
        tenant_id=principal.tenant_id,
        organization_id=principal.organization_id,
        roles=sorted(principal.roles),
    )
