"""Pure rules of the use cases: what goes on Kafka, which reminder is due, claim keys."""

from __future__ import annotations

from scheduling import contracts_mapping
from scheduling.application.booking import refusal
from scheduling.application.reminders import due_offset, reminder_id
from scheduling.domain.claims import time_keys
from scheduling.domain.meeting import Meeting
from scheduling.domain.slots import QUANTUM

START = 1_900_000_200  # a 5-minute boundary


def meeting(status: str = "confirmed") -> Meeting:
    m = Meeting("meeting-m1")
    m.schedule(
        tenant_id="t",
        kind="one_to_one",
        program_id="p",
        match_id="x",
        organizer="mentor",
        invited=["mentee"],
        booked_by="mentee",
        starts_at=START,
        ends_at=START + 3600,
        timezone="Europe/Paris",
        title="private title",
        agenda="private agenda",
        status=status,
        video_url="https://meet.jit.si/Mentorship-secret",
        held=[],
    )
    return m


def test_a_pending_booking_is_announced_when_confirmed_and_never_carries_free_text() -> None:
    pending = meeting("pending")
    assert contracts_mapping.published(pending, was_confirmed=False) == []
    pending.mark_saved()
    pending.confirm("mentor", START - 10_000)
    [booked] = contracts_mapping.published(pending, was_confirmed=False)
    wire = booked.payload.model_dump_json()
    assert booked.payload.TOPIC == "meeting-booked" and "private" not in wire
    assert "secret" not in wire and '"has_video_room":true' in wire


def test_a_cancelled_pending_booking_was_never_announced_so_it_is_not_cancelled_either() -> None:
    pending = meeting("pending")
    pending.mark_saved()
    pending.cancel("mentee", "attendee_cancelled", "sorry", START - 10_000)
    assert contracts_mapping.published(pending, was_confirmed=False) == []
    confirmed = meeting()
    confirmed.mark_saved()
    confirmed.cancel("mentee", "made_up_code", "sorry", START - 10_000)
    [cancelled] = contracts_mapping.published(confirmed, was_confirmed=True)
    assert cancelled.payload.reason == "other" and cancelled.payload.sequence == 1


def test_only_the_nearest_due_reminder_goes_out() -> None:
    m = meeting()
    offsets = (86400, 900)
    assert due_offset(m, offsets, START - 90_000) is None
    assert due_offset(m, offsets, START - 80_000) == 86400
    assert due_offset(m, offsets, START - 600) == 900
    assert due_offset(m, offsets, START) is None
    assert reminder_id(m, 900) == f"reminder-m1-{START}-900"
    m.mark_saved()
    m.cancel("mentor", "other", "", START - 1000)
    assert due_offset(m, offsets, START - 600) is None


def test_claims_cover_the_meeting_and_the_buffer_after_it() -> None:
    keys = time_keys("t", "mentor", START, START + 3600, 600)
    assert len(keys) == (3600 + 600) // QUANTUM
    assert keys[0] == f"t|mentor|t{START // QUANTUM}"
    # a meeting starting exactly one buffer after the end shares no claim
    after = time_keys("t", "mentor", START + 4200, START + 7800, 600)
    assert not set(keys) & set(after)
    closer = time_keys("t", "mentor", START + 3900, START + 7800, 600)
    assert set(keys) & set(closer)


def test_refusals_name_what_was_taken() -> None:
    assert "day" in refusal("t|m|d2026-03-01#2").detail
    assert "week" in refusal("t|m|w2026-03-02#0").detail
    assert "just booked" in refusal("t|m|t6333334").detail
