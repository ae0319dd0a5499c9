"""Booking, group sessions, and what attendees do with a meeting afterwards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal, Principal
from chassis.http import Created, ExpectedVersion, problems, set_etag
from scheduling.adapters import ics
from scheduling.domain.meeting import Meeting
from scheduling.entrypoints.deps import Creates, IdPath, Service, ViewerZone
from scheduling.entrypoints.schemas import (
    BookIn,
    CancelIn,
    MeetingOut,
    RescheduleIn,
    RsvpIn,
    SessionIn,
)

router = APIRouter(prefix="/v1", tags=["scheduling"])


def _created(meeting: Meeting, principal: Principal) -> Created:
    return Created(
        MeetingOut.of(meeting, principal.user_id, None),
        location=f"/v1/meetings/{meeting.meeting_id}",
        version=meeting.version,
    )


def _answer(meeting: Meeting, principal: Principal, response: Response) -> MeetingOut:
    set_etag(response, meeting.version)
    return MeetingOut.of(meeting, principal.user_id, None)


@router.post(
    "/matches/{match_id}/meetings",
    status_code=201,
    response_model=MeetingOut,
    summary="Book a meeting with your mentor (the mentee of a one-to-one mentorship)",
    responses=problems(404, 409),
)
async def book(
    match_id: IdPath, body: BookIn, principal: CurrentPrincipal, service: Service, once: Creates
) -> JSONResponse:
    async def create() -> Created:
        start, end = body.span()
        meeting = await service.book(principal, match_id, start, end, body.title, body.agenda)
        return _created(meeting, principal)

    return await once(body, create)


@router.post(
    "/matches/{match_id}/sessions",
    status_code=201,
    response_model=MeetingOut,
    summary="Schedule a session for a group mentorship (its mentor)",
    responses=problems(403, 404, 409),
)
async def group_session(
    match_id: IdPath, body: SessionIn, principal: CurrentPrincipal, service: Service, once: Creates
) -> JSONResponse:
    async def create() -> Created:
        start, end = body.span()
        meeting = await service.schedule_session(
            principal,
            match_id=match_id,
            program_id=None,
            start=start,
            end=end,
            title=body.title,
            agenda=body.agenda,
            capacity=body.capacity,
        )
        return _created(meeting, principal)

    return await once(body, create)


@router.post(
    "/programs/{program_id}/sessions",
    status_code=201,
    response_model=MeetingOut,
    summary="Schedule a program room session with a capacity (mentors and admins)",
    responses=problems(403, 404, 409),
)
async def room_session(
    program_id: IdPath,
    body: SessionIn,
    principal: CurrentPrincipal,
    service: Service,
    once: Creates,
) -> JSONResponse:
    async def create() -> Created:
        start, end = body.span()
        meeting = await service.schedule_session(
            principal,
            match_id=None,
            program_id=program_id,
            start=start,
            end=end,
            title=body.title,
            agenda=body.agenda,
            capacity=body.capacity,
        )
        return _created(meeting, principal)

    return await once(body, create)


@router.get(
    "/me/meetings",
    response_model=list[MeetingOut],
    summary="Your meetings in a time range, in your zone",
)
async def my_meetings(
    principal: CurrentPrincipal,
    service: Service,
    tz: ViewerZone = None,
    days_back: Annotated[int, Query(ge=0, le=400)] = 0,
    days: Annotated[int, Query(ge=1, le=400)] = 30,
) -> list[MeetingOut]:
    now = service.booking.clock.now()
    found = await service.my_meetings(principal, now - days_back * 86400, now + days * 86400)
    return [MeetingOut.of(m, principal.user_id, tz) for m in found]


@router.get(
    "/meetings/{meeting_id}",
    response_model=MeetingOut,
    summary="A meeting (its people; a room session: its program's members)",
    responses=problems(404),
)
async def get_meeting(
    meeting_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    tz: ViewerZone = None,
) -> MeetingOut:
    meeting = await service.meeting(principal, meeting_id)
    set_etag(response, meeting.version)
    return MeetingOut.of(meeting, principal.user_id, tz)


@router.post(
    "/meetings/{meeting_id}/confirm",
    response_model=MeetingOut,
    summary="Confirm a booking (the mentor, when confirmation is required)",
    responses=problems(403, 404, 409, 412),
)
async def confirm(
    meeting_id: IdPath,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    version: ExpectedVersion = None,
) -> MeetingOut:
    meeting = await service.confirm(principal, meeting_id, version)
    return _answer(meeting, principal, response)


@router.post(
    "/meetings/{meeting_id}/reschedule",
    response_model=MeetingOut,
    summary="Move a meeting (either side of a pair; a session's organizer)",
    responses=problems(403, 404, 409, 412),
)
async def reschedule(
    meeting_id: IdPath,
    body: RescheduleIn,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    version: ExpectedVersion = None,
) -> MeetingOut:
    start, end = body.span()
    meeting = await service.reschedule(
        principal, meeting_id, start, end, body.reason, body.note, version
    )
    return _answer(meeting, principal, response)


@router.post(
    "/meetings/{meeting_id}/cancel",
    response_model=MeetingOut,
    summary="Cancel a meeting, with a reason",
    responses=problems(403, 404, 409, 412),
)
async def cancel(
    meeting_id: IdPath,
    body: CancelIn,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
    version: ExpectedVersion = None,
) -> MeetingOut:
    meeting = await service.cancel(principal, meeting_id, body.reason, body.note, version)
    return _answer(meeting, principal, response)


@router.put(
    "/meetings/{meeting_id}/rsvp",
    response_model=MeetingOut,
    summary="Answer an invitation: yes (takes a seat of a session), no, maybe",
    responses=problems(404, 409),
)
async def rsvp(
    meeting_id: IdPath,
    body: RsvpIn,
    principal: CurrentPrincipal,
    service: Service,
    response: Response,
) -> MeetingOut:
    meeting = await service.answer(principal, meeting_id, body.response)
    return _answer(meeting, principal, response)


@router.get(
    "/meetings/{meeting_id}/invite.ics",
    response_class=Response,
    summary="The meeting as an iCalendar invite (REQUEST, or CANCEL once cancelled)",
    responses={200: {"content": {"text/calendar": {}}}, **problems(404)},
)
async def invite(meeting_id: IdPath, principal: CurrentPrincipal, service: Service) -> Response:
    meeting = await service.meeting(principal, meeting_id)
    return Response(
        ics.invite(meeting, principal.user_id),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.ics"'},
    )
