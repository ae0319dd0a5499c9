"""The read model is a fold that neither the order of topics nor duplicates change, and
the health rules judge mentorships as the README says (pure: no I/O)."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from insights.domain import health, report_parts
from insights.domain.projection import BUCKETS, Entries, apply, epoch, target_of
from insights.domain.rules import HealthRules
from mentorship_contracts.events import (
    CheckInAnsweredV1,
    EventPayload,
    MatchMadeV1,
    MeetingBookedV1,
    MeetingCancelledV1,
    MentorshipEndedV1,
    MessageSentV1,
    Participant,
    ProfileChangedV1,
    ProfileSnapshot,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def p(user: str) -> Participant:
    return Participant(member_id=f"m-{user}", user_id=user)


def events() -> list[tuple[EventPayload, int]]:
    made = MatchMadeV1(
        tenant_id="t",
        program_id="p",
        match_id="x",
        mode="one_to_one",
        mentor=p("ada"),
        mentees=[p("sam")],
        origin="request",
    )
    out: list[tuple[EventPayload, int]] = [(made, epoch(T0))]
    for i in range(5):
        sent = T0 + i * DAY
        out.append(
            (
                MessageSentV1(
                    tenant_id="t",
                    program_id="p",
                    conversation_id="c",
                    message_id=f"m{i}",
                    match_id="x",
                    sender_user_id="sam" if i % 2 else "ada",
                    recipient_user_ids=["ada"],
                    sent_at=sent,
                    length=3,
                ),
                epoch(sent),
            )
        )
    booked = MeetingBookedV1(
        tenant_id="t",
        program_id="p",
        meeting_id="mt",
        match_id="x",
        mode="one_to_one",
        organizer_user_id="ada",
        attendee_user_ids=["sam"],
        starts_at=T0 + 6 * DAY,
        ends_at=T0 + 6 * DAY + timedelta(hours=1),
        timezone="UTC",
        sequence=1,
    )
    moved = booked.model_copy(
        update={
            "sequence": 2,
            "starts_at": T0 + 8 * DAY,
            "ends_at": T0 + 8 * DAY + timedelta(hours=1),
        }
    )
    cancelled = MeetingCancelledV1(
        tenant_id="t",
        program_id="p",
        meeting_id="mt",
        match_id="x",
        cancelled_by_user_id="sam",
        attendee_user_ids=["ada"],
        starts_at=T0 + 6 * DAY,
        sequence=1,
    )
    out += [(booked, epoch(T0)), (moved, epoch(T0)), (cancelled, epoch(T0))]
    out.append(
        (
            CheckInAnsweredV1(
                tenant_id="t",
                answer_id="a1",
                program_id="p",
                match_id="x",
                round="day_30",
                respondent_user_id="sam",
                respondent_role="mentee",
                score=4,
                visibility="private",
                answered_at=T0 + 30 * DAY,
            ),
            epoch(T0 + 30 * DAY),
        )
    )
    out.append(
        (
            MentorshipEndedV1(
                tenant_id="t",
                program_id="p",
                match_id="x",
                mentor=p("ada"),
                mentees=[p("sam")],
                reason="completed",
                ended_by="mentee",
            ),
            epoch(T0 + 40 * DAY),
        )
    )
    for version in (1, 2):
        out.append(
            (
                ProfileChangedV1(
                    tenant_id="t",
                    program_id="p",
                    member_id="m-sam",
                    user_id="sam",
                    organization_id="o",
                    profile_version=version,
                    roles=["mentee"],
                    mentor_approved=False,
                    snapshot=ProfileSnapshot(display_name=f"Sam {version}"),
                ),
                epoch(T0),
            )
        )
    return out


def fold(stream: list[tuple[EventPayload, int]]) -> dict[str, Entries]:
    state: dict[str, Entries] = {}
    for payload, at in stream:
        target = target_of(payload)
        assert target is not None
        apply(state.setdefault(target.bucket, {}), target.key, payload, at)
    return {k: v for k, v in sorted(state.items()) if v}


def per_key_order_kept(stream: list[tuple[EventPayload, int]], seed: int) -> list[Any]:
    """Another interleaving of the topics: events of one topic keep their order (one key
    per topic here), as Kafka keeps order per partition."""
    rng = random.Random(seed)
    lanes: dict[str, list[Any]] = {}
    for item in stream:
        lanes.setdefault(item[0].TOPIC, []).append(item)
    out: list[Any] = []
    queues = [list(v) for v in lanes.values()]
    while any(queues):
        lane = rng.choice([q for q in queues if q])
        out.append(lane.pop(0))
    return out


def test_the_fold_ignores_the_interleaving_of_topics_and_duplicates() -> None:
    stream = events()
    expected = json.dumps(fold(stream), sort_keys=True)
    for seed in range(30):
        shuffled = per_key_order_kept(stream, seed)
        with_duplicates = list(
            itertools.chain.from_iterable(
                [e, e] if i % 3 == 0 else [e] for i, e in enumerate(shuffled)
            )
        )
        assert json.dumps(fold(with_duplicates), sort_keys=True) == expected


def test_the_mentorship_state_after_the_fold() -> None:
    state = fold(events())
    (mentorship,) = [b["x"] for k, b in state.items() if "|mentorships|" in k]
    assert mentorship["msgs"] == 5
    assert mentorship["senders"]["ada"] == [3, epoch(T0 + 4 * DAY)]
    # rescheduled (sequence 2) wins over the cancellation of sequence 1
    assert mentorship["meetings"]["mt"] == [2, epoch(T0 + 8 * DAY), epoch(T0 + 8 * DAY) + 3600, 0]
    assert mentorship["ended"] == epoch(T0 + 40 * DAY)
    (members,) = [b for k, b in state.items() if "|members|" in k]
    assert members["sam"]["v"] == 2
    assert len(BUCKETS) == 5


def mentorship(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "made": epoch(T0),
        "mode": "one_to_one",
        "mentor": "ada",
        "mentees": ["sam"],
        "ended": 0,
        "why": "",
        "by": "",
        "msgs": 0,
        "senders": {},
        "recent": [],
        "meetings": {},
        "docs": [],
        "answers": {},
        "goals": {},
    }
    return base | overrides


def test_status_and_the_rule_that_set_it() -> None:
    rules = HealthRules(quiet_after_days=10, inactive_after_days=20, first_check_in_days=30)
    at = epoch(T0 + 5 * DAY)
    assert health.mentorship_health("x", mentorship(), rules, at)["status"] == "on_track"
    quiet = health.mentorship_health("x", mentorship(), rules, epoch(T0 + 12 * DAY))
    assert (quiet["activity"], quiet["status"]) == ("quiet", "needs_check_in")
    assert quiet["rule"] == "quiet for 12 days (quiet after 10)"
    gone = health.mentorship_health("x", mentorship(), rules, epoch(T0 + 25 * DAY))
    assert gone["status"] == "inactive" and "inactive after 20" in gone["rule"]
    talking = mentorship(
        senders={"sam": [3, epoch(T0 + 33 * DAY)], "ada": [1, epoch(T0 + 34 * DAY)]}
    )
    due = health.mentorship_health("x", talking, rules, epoch(T0 + 38 * DAY))
    assert due["status"] == "needs_check_in" and due["rule"].startswith("check-in day_30 due since")
    silent = mentorship(senders={"sam": [2, epoch(T0 + 11 * DAY)]})
    row = health.mentorship_health("x", silent, rules, epoch(T0 + 12 * DAY))
    assert row["mentor_silent"] is True and row["activity"] == "active"


def test_groups_under_five_people_are_suppressed() -> None:
    answers = {f"a{i}": ["day_30", "mentee", f"u{i}", 3, "private", epoch(T0), 0] for i in range(4)}
    state = health.ProgramState("p", None, {}, {}, {}, {"x": mentorship(answers=answers)})
    assert report_parts.state_check_in_report(state, epoch(T0))["overall"] == {"suppressed": True}
    answers["a4"] = ["day_30", "mentee", "u4", 5, "public", epoch(T0), 0]
    overall = report_parts.state_check_in_report(state, epoch(T0))["overall"]
    assert overall["respondents"] == 5 and overall["mean_score"] == 3.4
