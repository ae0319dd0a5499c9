"""Mentors: a mentor's card (availability, free slots, last active) and pausing or resuming."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from chassis.auth import CurrentPrincipal
from chassis.http import problems
from matching.entrypoints.deps import IdPath, Service
from matching.entrypoints.schemas.mentors import Availability, AvailabilityOut, MentorCard

router = APIRouter(prefix="/v1", tags=["matching"])


@router.get(
    "/programs/{program_id}/mentors/{mentor_id}",
    response_model=MentorCard,
    summary="A mentor's availability",
    responses=problems(404),
)
async def mentor_card(
    program_id: IdPath, mentor_id: IdPath, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    return await service.mentorships.mentor_card(principal, program_id, mentor_id)


@router.put(
    "/programs/{program_id}/mentors/me/availability",
    response_model=AvailabilityOut,
    summary="Pause or resume taking new mentees (mentors)",
    responses=problems(403, 404, 409),
)
async def set_availability(
    program_id: IdPath, body: Availability, principal: CurrentPrincipal, service: Service
) -> dict[str, Any]:
    if body.paused:
        return await service.pause_mentor(
            principal, program_id, until=body.until, reason=body.reason
        )
    return await service.resume_mentor(principal, program_id)
