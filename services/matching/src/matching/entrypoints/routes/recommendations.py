"""Recommendations: a mentee's ranked mentors, and why one pair is (or is not) a match."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from chassis.auth import CurrentPrincipal
from chassis.http import Limit, problems
from matching.entrypoints.deps import IdPath, Service
from matching.entrypoints.schemas.recommendations import PairExplanation, Recommendations

router = APIRouter(prefix="/v1", tags=["matching"])


@router.get(
    "/programs/{program_id}/recommendations",
    response_model=Recommendations,
    summary="Your recommended mentors, best first, each with why",
    responses=problems(403, 404),
)
async def my_recommendations(
    program_id: IdPath, principal: CurrentPrincipal, service: Service, limit: Limit = 10
) -> dict[str, Any]:
    return await service.recommendations.recommendations(principal, program_id, limit=limit)


@router.get(
    "/programs/{program_id}/members/{member_id}/recommendations",
    response_model=Recommendations,
    summary="A mentee's recommendations (the mentee or an admin)",
    responses=problems(403, 404),
)
async def member_recommendations(
    program_id: IdPath,
    member_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    limit: Limit = 10,
) -> dict[str, Any]:
    return await service.recommendations.recommendations_for(
        principal, program_id, member_id, limit=limit
    )


@router.get(
    "/programs/{program_id}/mentors/{mentor_id}/explanation",
    response_model=PairExplanation,
    summary="Why a mentor is (or is not) a match for you",
    responses=problems(403, 404),
)
async def explain_mentor(
    program_id: IdPath,
    mentor_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    mentee_id: Annotated[str | None, Query(max_length=128)] = None,
) -> dict[str, Any]:
    return await service.recommendations.explain_pair(principal, program_id, mentor_id, mentee_id)
