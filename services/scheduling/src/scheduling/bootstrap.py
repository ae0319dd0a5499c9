"""Wires the scheduling service: the only module that knows every other one.

Read top to bottom: repositories and read models, the claims, the shared booking
dependencies, every use case, the consumers, then the reminder sweeper as a background
task of every replica (the reminders themselves are recorded once, see reminders.py).
"""

from fastapi import FastAPI

import scheduling
from chassis.app import Runtime, build_runtime, create_service_app
from chassis.idempotency import IdempotencyStore
from chassis.repository import AggregateRepository
from scheduling.adapters.claims import MongoClaims
from scheduling.adapters.clock import SystemClock
from scheduling.adapters.read_models import MongoFeeds, MongoMeetingIndex, MongoMembers, MongoPairs
from scheduling.adapters.reminder_log import EventStoreReminderLog
from scheduling.adapters.video import JitsiRooms, NoVideo
from scheduling.application import booking as booking_cases
from scheduling.application.calendars import FindFreeSlots, PublishAvailability
from scheduling.application.context import Context
from scheduling.application.feeds import CalendarFeeds
from scheduling.application.mentorships import Mentorships
from scheduling.application.ports import VideoRooms
from scheduling.application.reminders import Reminders
from scheduling.application.service import SchedulingService
from scheduling.application.sessions import AnswerInvitation, ScheduleSession
from scheduling.domain.calendar import Calendar
from scheduling.domain.meeting import Meeting
from scheduling.entrypoints import api, consumers
from scheduling.settings import SchedulingSettings


def build_service(runtime: Runtime, settings: SchedulingSettings) -> SchedulingService:
    storage = runtime.storage
    meetings = AggregateRepository(
        runtime.events, runtime.db, Meeting, storage=storage, snapshots="meeting_snapshots"
    )
    calendars = AggregateRepository(
        runtime.events, runtime.db, Calendar, storage=storage, snapshots="calendar_snapshots"
    )
    index = MongoMeetingIndex(runtime.db, storage)
    pairs, members, feeds = MongoPairs(runtime.db), MongoMembers(runtime.db), MongoFeeds(runtime.db)
    clock = SystemClock()
    video: VideoRooms = (
        JitsiRooms(settings.jitsi_base_url) if settings.video_provider == "jitsi" else NoVideo()
    )
    booking = booking_cases.Booking(
        context=Context(pairs=pairs, calendars=calendars, index=index),
        meetings=meetings,
        claims=MongoClaims(runtime.db),
        clock=clock,
    )
    return SchedulingService(
        booking=booking,
        members=members,
        publish_availability=PublishAvailability(calendars),
        free_slots=FindFreeSlots(booking.context, clock),
        book=booking_cases.BookMeeting(booking, video),
        reschedule=booking_cases.RescheduleMeeting(booking),
        cancel=booking_cases.CancelMeeting(booking),
        confirm=booking_cases.ConfirmMeeting(booking),
        schedule_session=ScheduleSession(booking, members, video),
        answer=AnswerInvitation(booking, members),
        mentorships=Mentorships(booking, pairs, members, feeds),
        feeds=CalendarFeeds(feeds, index, clock),
        reminders=Reminders(
            index=index,
            log=EventStoreReminderLog(runtime.events),
            clock=clock,
            offsets=tuple(m * 60 for m in settings.reminder_offsets_minutes),
            sweep_seconds=settings.reminder_sweep_seconds,
        ),
        idempotency=IdempotencyStore(runtime.db),
    )


def create_app(settings: SchedulingSettings | None = None) -> FastAPI:
    settings = settings or SchedulingSettings()
    runtime = build_runtime(settings)
    service = build_service(runtime, settings)
    consumers.register(runtime, service.mentorships)

    async def prepare(rt: Runtime) -> None:
        index = service.booking.context.index
        assert isinstance(index, MongoMeetingIndex)
        await index.ensure_indexes()
        await service.idempotency.ensure_indexes()
        rt.start_background(service.reminders.run(), "meeting-reminders")

    app = create_service_app(
        runtime,
        title="Scheduling service",
        description=scheduling.__doc__ or "",
        routers=api.routers,
        on_startup=[prepare],
    )
    app.state.scheduling = service
    app.state.public_base_url = settings.public_base_url
    return app
