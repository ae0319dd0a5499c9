"""The mentor's book: requests, capacity, expiry, pauses and groups (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chassis.errors import Conflict, InvalidInput
from matching import contracts_mapping as translation
from matching.domain import mentor_book as d
from matching.domain import mentor_events as ev
from matching.domain.mentor_book import AtCapacity, MentorBook, RequestClosed

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def desk() -> MentorBook:
    return MentorBook(d.mentor_book_id("t", "p", "ada"))


def ask(
    desk: MentorBook, mentee: str, *, capacity: int = 2, now: datetime = NOW, **kw: object
) -> str:
    request_id = f"r-{mentee}-{len(desk.requests)}"
    desk.receive_request(
        request_id=request_id,
        mentee_id=mentee,
        mentee_user_id=f"user-{mentee}",
        mentor_user_id="user-ada",
        message="hello",
        now=now,
        expires_at=now + timedelta(hours=72),
        capacity=capacity,
        **kw,  # type: ignore[arg-type]
    )
    return request_id


def accept(desk: MentorBook, request_id: str, *, capacity: int = 2, now: datetime = NOW) -> dict:
    return desk.accept(
        request_id, match_id=f"m-{request_id}", capacity=capacity, now=now, score=0.5
    )


def test_accepting_starts_a_match_until_capacity() -> None:
    a = desk()
    first, second, third = ask(a, "sam"), ask(a, "kim"), ask(a, "lee")
    accept(a, first)
    accept(a, second)
    with pytest.raises(AtCapacity):
        accept(a, third)
    assert a.active_one_to_one() == 2
    types = [e.TYPE for e in a.pending_events]
    assert types.count(ev.MatchStarted.TYPE) == 2 and types.count(ev.RequestAccepted.TYPE) == 2
    with pytest.raises(AtCapacity):
        ask(a, "joe")


def test_duplicates_self_requests_and_closed_requests() -> None:
    a = desk()
    request_id = ask(a, "sam")
    with pytest.raises(Conflict, match="already have an open request"):
        ask(a, "sam")
    with pytest.raises(InvalidInput, match="yourself"):
        ask(a, "ada")
    a.withdraw(request_id, NOW)
    with pytest.raises(RequestClosed, match="withdrawn"):
        accept(a, request_id)
    ask(a, "sam")  # asking again after withdrawing is fine


def test_an_answer_after_the_deadline_finds_the_request_expired() -> None:
    a = desk()
    request_id = ask(a, "sam")
    a.mark_saved()
    later = NOW + timedelta(hours=73)
    with pytest.raises(RequestClosed, match="expired"):
        accept(a, request_id, now=later)
    assert [e.TYPE for e in a.pending_events] == [ev.RequestExpired.TYPE]  # kept: it is a fact
    published = translation.publish_for(a, a.pending_events[0])
    assert published is not None
    assert published.payload.response == "declined"  # type: ignore[attr-defined]
    assert published.payload.reason == "expired"  # type: ignore[attr-defined]


def test_pause_blocks_new_requests_until_it_ends() -> None:
    a = desk()
    a.pause_intake(
        until=NOW + timedelta(days=1), reason="vacation", mentor_user_id="user-ada", now=NOW
    )
    with pytest.raises(Conflict, match="not taking new mentees"):
        ask(a, "sam")
    assert not a.end_pause_if_due(NOW + timedelta(hours=1))
    assert a.end_pause_if_due(NOW + timedelta(days=2))
    ask(a, "sam", now=NOW + timedelta(days=2))


def test_groups_have_their_own_seats() -> None:
    a = desk()
    a.open_group(
        group_id="g1",
        title="Circle",
        description=None,
        capacity=1,
        mentor_user_id="user-ada",
        now=NOW,
    )
    first = ask(a, "sam", capacity=0, group_id="g1")  # 1:1 capacity doesn't matter
    second = ask(a, "kim", capacity=0, group_id="g1")
    match = accept(a, first, capacity=0)
    assert match["mode"] == "group" and a.groups["g1"]["members"] == {"sam": match["match_id"]}
    with pytest.raises(AtCapacity, match="full"):
        accept(a, second, capacity=0)
    a.end_match(
        match["match_id"],
        reason="completed",
        ended_by="mentee",
        ended_by_user_id="user-sam",
        now=NOW,
    )
    assert a.groups["g1"]["members"] == {}
    accept(a, second, capacity=0)


def test_state_survives_a_snapshot() -> None:
    a = desk()
    accept(a, ask(a, "sam"))
    restored = MentorBook.restore(a.stream_id, a.version, a.snapshot())
    assert restored.active_one_to_one() == 1 and restored.version == a.version
    with pytest.raises(Conflict):
        ask(restored, "sam")  # already their mentor


def test_round_matches_are_idempotent_by_id() -> None:
    a = desk()
    kwargs = dict(
        match_id="m1",
        mentee_id="sam",
        mentee_user_id="user-sam",
        mentor_user_id="user-ada",
        round_id="b1",
        score=0.4,
        capacity=1,
        now=NOW,
    )
    assert a.start_from_round(**kwargs)  # type: ignore[arg-type]
    assert not a.start_from_round(**kwargs)  # type: ignore[arg-type]
    made = translation.publish_for(a, a.pending_events[0])
    assert made is not None and made.payload.origin == "bulk_round"  # type: ignore[attr-defined]


def test_a_mentor_whose_requests_keep_expiring_is_paused_and_told_why() -> None:
    a = desk()
    ask(a, "sam"), ask(a, "kim")
    later = NOW + timedelta(hours=73)
    a.expire_due(later, pause_after=3)
    assert a.pause is None  # two unanswered requests are not yet a pattern
    ask(a, "lee", now=later)
    latest = later + timedelta(hours=73)
    assert len(a.expire_due(latest, pause_after=3)) == 1
    assert a.pause is not None and a.pause["reason"] == d.AUTO_PAUSE_REASON
    assert a.pause["by"] == "system" and "last 3 mentorship requests expired" in a.pause["note"]
    with pytest.raises(Conflict, match="not taking new mentees"):
        ask(a, "joe", now=latest)
    published = translation.publish_for(a, a.pending_events[-1])
    assert published is not None
    assert published.payload.paused is True  # type: ignore[attr-defined]
    assert published.payload.reason == d.AUTO_PAUSE_REASON  # type: ignore[attr-defined]
    assert published.payload.user_id == "user-ada"  # type: ignore[attr-defined]
    assert a.resume_intake("user-ada", latest) and a.unanswered_in_a_row == 0
    ask(a, "joe", now=latest)


def test_any_answer_resets_the_unanswered_count() -> None:
    a = desk()
    ask(a, "sam"), ask(a, "kim")
    later = NOW + timedelta(hours=73)
    a.expire_due(later, pause_after=3)
    lee = ask(a, "lee", now=later)
    a.decline(lee, "not_a_fit", None, later)
    assert a.unanswered_in_a_row == 0
    ask(a, "joe", now=later)
    a.expire_due(later + timedelta(hours=73), pause_after=3)
    assert a.unanswered_in_a_row == 1 and a.pause is None
    restored = MentorBook.restore(a.stream_id, a.version, a.snapshot())
    assert restored.unanswered_in_a_row == 1
