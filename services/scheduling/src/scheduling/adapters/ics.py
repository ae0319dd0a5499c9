"""iCalendar (RFC 5545) invites and feeds, written with the ``icalendar`` library.

Times are written in the organizer's zone with its VTIMEZONE, so a calendar shows the
meeting at the same instant in every zone and keeps it right across DST changes. The UID
is stable per meeting and SEQUENCE grows with every change, so a calendar app updates
the one event in place; a cancelled meeting is METHOD:CANCEL with STATUS:CANCELLED.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar

from scheduling.domain.meeting import Meeting
from scheduling.domain.zones import instant

PRODID = "-//Mentorship Platform//Scheduling//EN"
UID_DOMAIN = "scheduling.mentorship"


def uid(meeting: Meeting) -> str:
    return f"{meeting.meeting_id}@{UID_DOMAIN}"


def _event(meeting: Meeting, viewer: str, stamp: datetime) -> icalendar.Event:
    tz = ZoneInfo(meeting.timezone)
    event = icalendar.Event()
    event.add("uid", uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", instant(meeting.starts_at).astimezone(tz))
    event.add("dtend", instant(meeting.ends_at).astimezone(tz))
    event.add("summary", meeting.title)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    if meeting.video_url and meeting.is_member(viewer):
        event.add("location", meeting.video_url)
        event.add("url", meeting.video_url)
    event.add("organizer", f"urn:mentorship:user:{meeting.organizer}")
    for person in meeting.attendees:
        if person != meeting.organizer:
            event.add("attendee", f"urn:mentorship:user:{person}")
    event.add(
        "status",
        {"cancelled": "CANCELLED", "pending": "TENTATIVE"}.get(meeting.status, "CONFIRMED"),
    )
    return event


def calendar(
    meetings: Sequence[Meeting], viewer: str, *, method: str | None, name: str | None = None
) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for meeting in meetings:
        cal.add_component(_event(meeting, viewer, stamp))
    if meetings:
        first = min(m.starts_at for m in meetings)
        last = max(m.ends_at for m in meetings)
        cal.add_missing_timezones(
            first_date=instant(first - 86400 * 183).date(),
            last_date=instant(last + 86400 * 183).date(),
        )
    return cal.to_ical()


def invite(meeting: Meeting, viewer: str) -> bytes:
    """One meeting's invite: REQUEST, or CANCEL once it is cancelled."""
    method = "CANCEL" if meeting.status == "cancelled" else "REQUEST"
    return calendar([meeting], viewer, method=method)


def feed(meetings: Sequence[Meeting], viewer: str) -> bytes:
    """A member's subscription feed: their meetings (cancelled ones as CANCELLED)."""
    return calendar(meetings, viewer, method="PUBLISH", name="Mentorship meetings")
