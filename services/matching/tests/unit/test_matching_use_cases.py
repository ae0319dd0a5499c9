"""The lifecycle use cases against in-memory fakes of the ports (no database, no Kafka):
what each command stores in the books and the read models, and what it refuses."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from matching_fakes import FakeBooks, FakePools, FakeProfiles, FakeQueue, FakeReadModels

from chassis.auth import Principal
from chassis.domain import DomainEvent
from chassis.errors import Conflict, Forbidden, NotFound
from matching.application import answer_request as answer
from matching.application import mentor_changes
from matching.application.access import Access
from matching.application.book_changes import MentorBookChanges
from matching.application.book_projector import MentorBookProjector
from matching.application.erasure import RemoveDepartedMember
from matching.application.lookups import Lookups
from matching.application.mentorship_queries import MentorshipQueries
from matching.application.next_best import NextBestMentors
from matching.application.rebuild import RebuildReadModels
from matching.application.request_mentorship import RequestMentorship
from matching.application.time_passing import DueBooks, ExpireDue
from matching.domain import mentor_events as ev
from matching.domain.mentor_book import MentorBook, mentor_book_id

T, P = "t1", "p1"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class App:
    books: FakeBooks
    profiles: FakeProfiles
    read_models: FakeReadModels
    pools: FakePools
    queue: FakeQueue
    clock: Clock
    request: RequestMentorship
    accept: answer.AcceptRequest
    decline: answer.DeclineRequest
    ask_for_info: answer.AskForInfo
    provide_info: answer.ProvideInfo
    withdraw: answer.WithdrawRequest
    end: mentor_changes.EndMentorship
    pause: mentor_changes.PauseMentor
    resume: mentor_changes.ResumeMentor
    expire: ExpireDue
    due: DueBooks
    departed: RemoveDepartedMember
    rebuild: RebuildReadModels
    queries: MentorshipQueries


@pytest.fixture
def app() -> App:
    books, profiles, read_models = FakeBooks(), FakeProfiles(), FakeReadModels()
    pools, queue, clock = FakePools(), FakeQueue(), Clock()
    profiles.add_program(T, P)
    for mentor in ("ada", "bob"):
        profiles.add_member(T, P, mentor, ["mentor"], capacity=1)
    for mentee in ("sam", "kim"):
        profiles.add_member(T, P, mentee, ["mentee"])
    projector = MentorBookProjector(
        read_models=read_models,
        profiles=profiles,
        pools=pools,
        expiry=queue,
        next_best=NextBestMentors(read_models=read_models, pools=pools, count=3),
    )
    changes = MentorBookChanges(books, projector)
    lookups = Lookups(
        profiles=profiles,
        read_models=read_models,
        access=Access(profiles),
        clock=clock,  # type: ignore[arg-type]
    )
    deps: dict[str, Any] = {"changes": changes, "lookups": lookups}
    return App(
        books=books,
        profiles=profiles,
        read_models=read_models,
        pools=pools,
        queue=queue,
        clock=clock,
        request=RequestMentorship(
            **deps, read_models=read_models, pools=pools, max_open_requests=5
        ),
        accept=answer.AcceptRequest(**deps, pools=pools),
        decline=answer.DeclineRequest(**deps),
        ask_for_info=answer.AskForInfo(**deps),
        provide_info=answer.ProvideInfo(**deps),
        withdraw=answer.WithdrawRequest(**deps),
        end=mentor_changes.EndMentorship(**deps),
        pause=mentor_changes.PauseMentor(**deps),
        resume=mentor_changes.ResumeMentor(**deps),
        expire=ExpireDue(changes=changes, clock=clock, auto_pause_after_unanswered=3),
        due=DueBooks(read_models=read_models, pools=pools),
        departed=RemoveDepartedMember(
            changes=changes, books=books, read_models=read_models, clock=clock
        ),
        rebuild=RebuildReadModels(books=books, projector=projector),
        queries=MentorshipQueries(lookups=lookups, read_models=read_models, profiles=profiles),
    )


def who(member_id: str, *roles: str) -> Principal:
    return Principal(f"user-{member_id}", T, T, frozenset(roles))


def events_of(app: App, mentor: str) -> list[str]:
    return [e.TYPE for e in app.books.streams.get(mentor_book_id(T, P, mentor), [])]


async def test_request_then_accept_stores_events_and_read_models(app: App) -> None:
    asked = await app.request(who("sam"), P, mentor_id="ada", message="hello")
    assert asked["status"] == "open" and asked["viewer"] == "mentee"
    assert app.queue.due == [(NOW + timedelta(hours=72), (T, P, "ada"))]
    accepted = await app.accept(who("ada"), asked["request_id"])
    assert accepted["status"] == "accepted" and accepted["match"]["mode"] == "one_to_one"
    assert events_of(app, "ada") == ["RequestReceived", "RequestAccepted", "MatchStarted"]
    match_id = accepted["match"]["match_id"]
    assert app.read_models.matches[match_id]["status"] == "active"
    assert app.profiles.profiles[f"{T}|{P}|ada"]["load"] == 1
    assert app.profiles.profiles[f"{T}|{P}|sam"]["mentee_matches"] == 1
    mine = await app.queries.list_matches(who("sam"), P, status=None, cursor=None, limit=10)
    assert [m["match_id"] for m in mine["items"]] == [match_id]


async def test_the_mentors_request_list_shows_who_asks_and_what_they_wrote(app: App) -> None:
    app.profiles.profiles[f"{T}|{P}|sam"]["snapshot"].update(
        display_name="Sam", headline="Backend developer"
    )
    asked = await app.request(who("sam"), P, mentor_id="ada", message="help with Go?")
    inbox = await app.queries.list_requests(
        who("ada"), P, role="mentor", status="open", cursor=None, limit=10
    )
    [row] = inbox["items"]
    assert row["request_id"] == asked["request_id"] and row["other_member_id"] == "sam"
    assert row["other_display_name"] == "Sam"
    assert row["other_headline"] == "Backend developer"
    assert row["message"] == "help with Go?"
    # the mentee's own list names the mentor (no headline shown: none in the snapshot)
    mine = await app.queries.list_requests(
        who("sam"), P, role="mentee", status=None, cursor=None, limit=10
    )
    assert mine["items"][0]["other_member_id"] == "ada"
    assert mine["items"][0]["other_headline"] is None
    assert mine["items"][0]["message"] == "help with Go?"


async def test_the_wrong_side_and_strangers_are_refused_and_nothing_is_written(app: App) -> None:
    asked = await app.request(who("sam"), P, mentor_id="ada", message="hello")
    before = events_of(app, "ada")
    with pytest.raises(Forbidden):
        await app.accept(who("sam"), asked["request_id"])
    with pytest.raises(Forbidden):
        await app.withdraw(who("ada"), asked["request_id"])
    with pytest.raises(NotFound):
        await app.decline(who("bob"), asked["request_id"], reason="other", note=None)
    assert events_of(app, "ada") == before


async def test_a_full_mentor_refuses_a_second_request(app: App) -> None:
    first = await app.request(who("sam"), P, mentor_id="ada", message="hi")
    await app.accept(who("ada"), first["request_id"])
    with pytest.raises(Conflict, match="capacity"):
        await app.request(who("kim"), P, mentor_id="ada", message="hi")


async def test_ask_for_info_answer_decline_and_withdraw(app: App) -> None:
    asked = await app.request(who("sam"), P, mentor_id="ada", message="hello")
    rid = asked["request_id"]
    assert (await app.ask_for_info(who("ada"), rid, question="why?"))["status"] == (
        "info_requested"
    )
    assert (await app.provide_info(who("sam"), rid, answer="because"))["status"] == "open"
    declined = await app.decline(who("ada"), rid, reason="not_a_fit", note="try bob")
    assert declined["status"] == "declined" and declined["note"] == "try bob"
    assert app.read_models.requests[rid]["next_best"] == []  # no scored pool here
    other = await app.request(who("kim"), P, mentor_id="bob", message="hi")
    assert (await app.withdraw(who("kim"), other["request_id"]))["status"] == "withdrawn"


async def test_a_lost_race_reloads_and_runs_the_command_again(app: App) -> None:
    asked = await app.request(who("sam"), P, mentor_id="ada", message="hello")
    app.books.conflicts_left = 2
    accepted = await app.accept(who("ada"), asked["request_id"])
    assert accepted["status"] == "accepted"
    assert events_of(app, "ada").count("MatchStarted") == 1


async def test_pause_and_resume(app: App) -> None:
    paused = await app.pause(who("ada", "member"), P, until=None, reason="vacation")
    assert paused["paused"] is True
    assert app.profiles.profiles[f"{T}|{P}|ada"]["pause"]["reason"] == "vacation"
    with pytest.raises(Conflict, match="not taking new mentees"):
        await app.request(who("sam"), P, mentor_id="ada", message="hi")
    assert (await app.resume(who("ada"), P))["paused"] is False
    await app.request(who("sam"), P, mentor_id="ada", message="hi")


async def test_due_requests_expire_when_the_clock_says_so(app: App) -> None:
    asked = await app.request(who("sam"), P, mentor_id="ada", message="hello")
    assert await app.due() == [(NOW + timedelta(hours=72), (T, P, "ada"))]
    app.clock.now = NOW + timedelta(hours=73)
    await app.expire((T, P, "ada"))
    assert app.read_models.requests[asked["request_id"]]["status"] == "expired"
    assert events_of(app, "ada")[-1] == ev.RequestExpired.TYPE


async def test_ending_a_mentorship(app: App) -> None:
    asked = await app.request(who("sam"), P, mentor_id="ada", message="hello")
    match_id = (await app.accept(who("ada"), asked["request_id"]))["match"]["match_id"]
    ended = await app.end(who("sam"), match_id, reason=None)
    assert ended["ended_by"] == "mentee" and ended["end_reason"] == "completed"
    assert app.profiles.profiles[f"{T}|{P}|ada"]["load"] == 0
    with pytest.raises(Conflict, match="already ended"):
        await app.end(who("ada"), match_id, reason=None)


async def test_the_replica_that_projects_last_still_leaves_the_latest_state(app: App) -> None:
    """Replica A saves an end and is slow to project; replica B accepts another request on
    the same book meanwhile and projects first. A's projection of its older book must not
    be the last word on the mentor's load."""
    app.profiles.add_member(T, P, "ada", ["mentor"], capacity=2)
    first = await app.request(who("sam"), P, mentor_id="ada", message="hello")
    match_id = (await app.accept(who("ada"), first["request_id"]))["match"]["match_id"]
    second = await app.request(who("kim"), P, mentor_id="ada", message="me too")
    real, saved, release = app.accept.changes.projector, asyncio.Event(), asyncio.Event()

    class Slow:
        async def project(self, book: MentorBook, events: Sequence[DomainEvent]) -> None:
            saved.set()
            await release.wait()
            await real.project(book, events)

    end_on_a = mentor_changes.EndMentorship(
        changes=MentorBookChanges(app.books, Slow()), lookups=app.end.lookups
    )
    ending = asyncio.create_task(end_on_a(who("sam"), match_id, reason=None))
    await saved.wait()  # A has saved its end, not projected it
    await app.accept(who("ada"), second["request_id"])  # B: saved and projected
    assert app.profiles.profiles[f"{T}|{P}|ada"]["load"] == 1
    release.set()
    await ending
    assert app.profiles.profiles[f"{T}|{P}|ada"]["load"] == 1
    assert app.read_models.matches[match_id]["status"] == "ended"


async def test_a_departed_mentee_leaves_requests_and_mentorships(app: App) -> None:
    first = await app.request(who("sam"), P, mentor_id="ada", message="my story")
    match_id = (await app.accept(who("ada"), first["request_id"]))["match"]["match_id"]
    second = await app.request(who("sam"), P, mentor_id="bob", message="my story too")
    await app.departed(T, P, "sam")
    assert app.read_models.matches[match_id]["end_reason"] == "mentee_left"
    assert second["request_id"] not in app.read_models.requests  # their words went too
    assert events_of(app, "bob")[-2:] == ["RequestCancelled", "TextsForgotten"]
    assert app.books.redacted[mentor_book_id(T, P, "bob")] == {second["request_id"]}


async def test_rebuild_replays_every_book_into_the_read_models(app: App) -> None:
    asked = await app.request(who("sam"), P, mentor_id="ada", message="hello")
    await app.accept(who("ada"), asked["request_id"])
    before = (dict(app.read_models.requests), dict(app.read_models.matches))
    app.read_models.requests.clear()
    app.read_models.matches.clear()
    assert await app.rebuild() == 1
    assert (app.read_models.requests, app.read_models.matches) == before


def test_old_stored_shapes_load_through_upcasters() -> None:
    """Events stored before their shape grew (v1) load as the current version."""
    received = ev.RequestReceived.from_stored(
        1,
        {
            "request_id": "r1",
            "mentee_id": "sam",
            "mentee_user_id": "user-sam",
            "mentor_user_id": "user-ada",
            "expires_at": "2026-03-05T12:00:00+00:00",
            "at": "2026-03-02T12:00:00+00:00",
        },
    )
    assert received.group_id is None and received.message == ""
    paused = ev.MentorPaused.from_stored(
        1, {"until": None, "reason": "vacation", "mentor_user_id": "user-ada", "at": "x"}
    )
    assert paused.by == "mentor" and paused.note is None
    started = ev.MatchStarted.from_stored(
        1,
        {
            "match_id": "m1",
            "mentee_id": "sam",
            "mentee_user_id": "user-sam",
            "mentor_user_id": "user-ada",
            "mode": "one_to_one",
            "origin": "request",
            "at": "x",
        },
    )
    assert (started.group_id, started.request_id, started.round_id, started.score) == (
        None,
        None,
        None,
        None,
    )
