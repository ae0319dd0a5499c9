"""Your availability (rules in your zone) and the free slots of a mentorship's mentor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from chassis.auth import CurrentPrincipal
from chassis.errors import NotFound
from chassis.http import ExpectedVersion, problems, set_etag
from scheduling.domain.availability import Availability
from scheduling.domain.zones import instant, zone
from scheduling.entrypoints.deps import IdPath, Service, ViewerZone
from scheduling.entrypoints.schemas import AvailabilityIn, AvailabilityOut, SlotOut, SlotsOut

router = APIRouter(prefix="/v1", tags=["scheduling"])


def _out(availability: Availability, version: int) -> AvailabilityOut:
    return AvailabilityOut.model_validate({**availability.to_data(), "version": version})


@router.put(
    "/me/availability",
    response_model=AvailabilityOut,
    summary="Publish your weekly availability (replaces the previous one)",
    responses=problems(412, 422),
)
async def put_availability(
    body: AvailabilityIn,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    version: ExpectedVersion = None,
) -> AvailabilityOut:
    availability = body.availability()
    calendar = await service.publish_availability(principal, availability, version)
    set_etag(response, calendar.version)
    return _out(availability, calendar.version)


@router.get(
    "/me/availability",
    response_model=AvailabilityOut,
    summary="Your published availability",
    responses=problems(404),
)
async def get_availability(
    principal: CurrentPrincipal, service: Service, response: Response
) -> AvailabilityOut:
    calendar = await service.my_calendar(principal)
    if calendar.availability is None:
        raise NotFound("you have not published your availability")
    set_etag(response, calendar.version)
    return _out(calendar.availability, calendar.version)


@router.get(
    "/matches/{match_id}/slots",
    response_model=SlotsOut,
    summary="The mentor's free slots for the coming days, in your zone",
    responses=problems(404, 409),
)
async def free_slots(
    match_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    tz: ViewerZone = None,
    days: Annotated[int, Query(ge=1, le=90)] = 14,
    duration_minutes: Annotated[int, Query(ge=5, le=240, multiple_of=5)] = 30,
    step_minutes: Annotated[int, Query(ge=5, le=240, multiple_of=5)] = 30,
    only_mutual: bool = False,
) -> SlotsOut:
    if tz is not None:
        zone(tz, field="tz")
    found = await service.free_slots(
        principal,
        match_id,
        days=days,
        duration_minutes=duration_minutes,
        step_minutes=step_minutes,
        viewer_timezone=tz,
        only_mutual=only_mutual,
    )
    viewer, mentor = zone(found.timezone), zone(found.mentor_timezone)
    return SlotsOut(
        timezone=found.timezone,
        mentor_timezone=found.mentor_timezone,
        mentee_has_availability=found.mentee_has_availability,
        slots=[
            SlotOut(
                starts_at=instant(s.start),
                ends_at=instant(s.end),
                local_start=instant(s.start).astimezone(viewer),
                local_end=instant(s.end).astimezone(viewer),
                mentor_local_start=instant(s.start).astimezone(mentor),
                suits_both=s.suits_both,
            )
            for s in found.slots
        ],
    )
