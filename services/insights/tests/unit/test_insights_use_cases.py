"""The use cases with in-memory fakes of their ports (no database, no Kafka): who may write
a mentorship's goals and check-ins, what they publish, and what admins read."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chassis.auth import Principal
from chassis.errors import Conflict, Forbidden, NotFound
from chassis.eventstore import ConcurrencyError, Publish
from insights.application.access import Access
from insights.application.check_ins import CheckIns
from insights.application.goals import Goals
from insights.application.reports import Reports
from insights.domain.check_ins import CheckInAnswer
from insights.domain.goals import GoalPlan
from insights.domain.projection import Entries, Target, epoch
from insights.domain.rules import ProgramRules
from mentorship_contracts.events import CheckInAnsweredV1, GoalUpdatedV1

NOW = datetime(2026, 6, 1, tzinfo=UTC)
MADE = NOW - timedelta(days=40)


class FakeBuckets:
    def __init__(self) -> None:
        self.data: dict[str, Entries] = {}

    async def update(self, bucket_id: str, change: Callable[[Entries], bool]) -> bool:
        return change(self.data.setdefault(bucket_id, {}))

    async def read(self, bucket_id: str) -> Entries:
        return self.data.get(bucket_id, {})

    async def read_many(self, bucket_ids: list[str]) -> list[Entries]:
        return [self.data.get(b, {}) for b in bucket_ids]

    def version(self, bucket_id: str) -> tuple[int, int]:
        return (id(self.data), 0)  # every put below happens before the first report

    async def all_programs(self) -> list[tuple[str, str]]:
        return []

    async def write_all(self, buckets: Mapping[str, Entries]) -> None:
        self.data = dict(buckets)

    async def drop(self) -> None:
        self.data = {}

    def put(self, target: Target, entry: dict[str, Any]) -> None:
        self.data.setdefault(target.bucket, {})[target.key] = entry


class FakeRepository:
    """Keeps each aggregate's saved state; a save at a stale version is a conflict."""

    def __init__(self, aggregate: type) -> None:
        self.aggregate = aggregate
        self.saved: dict[str, Any] = {}
        self.published: list[Publish] = []

    async def load(self, stream_id: str) -> Any:
        held = self.saved.get(stream_id)
        return copy.deepcopy(held) if held is not None else self.aggregate(stream_id)

    async def save(
        self, aggregate: Any, *, messages: Sequence[Publish] = (), tenant_id: str | None = None
    ) -> list[Any]:
        held = self.saved.get(aggregate.stream_id)
        if (held.version if held else 0) != aggregate.loaded_version:
            raise ConcurrencyError("stale")
        aggregate.mark_saved()
        self.saved[aggregate.stream_id] = copy.deepcopy(aggregate)
        self.published += messages
        return []


def principal(user: str, *roles: str, tenant: str = "t") -> Principal:
    return Principal(user, tenant, "org", frozenset(roles))


def world(ended: int = 0) -> tuple[FakeBuckets, Access]:
    buckets = FakeBuckets()
    buckets.put(
        Target("t", "p", "program", "config"),
        {"v": 1, "name": "P", "org": "org", "partners": [], "status": "active", "kind": "formal"},
    )
    for user, roles in (("ada", ["mentor"]), ("sam", ["mentee"]), ("bob", ["mentee"])):
        buckets.put(
            Target("t", "p", "members", user),
            {"v": 1, "m": f"m-{user}", "r": roles, "a": True, "x": False, "p": False},
        )
    buckets.put(
        Target("t", "p", "mentorships", "x"),
        {
            "made": epoch(MADE),
            "mode": "one_to_one",
            "mentor": "ada",
            "mentees": ["sam"],
            "ended": ended,
            "why": "",
            "by": "",
            "msgs": 0,
            "senders": {},
            "recent": [],
            "meetings": {},
            "docs": [],
            "answers": {},
            "goals": {},
        },
    )
    return buckets, Access(buckets)


async def test_only_the_pair_writes_goals_and_the_event_carries_no_words() -> None:
    _, access = world()
    plans = FakeRepository(GoalPlan)
    goals = Goals(access=access, plans=plans, clock=lambda: NOW)
    goal_id, plan = await goals.set_goal(
        principal("sam"),
        "p",
        "x",
        title="Ship a talk",
        description="at a meetup",
        due_in_days=60,
        milestones=["outline", "rehearse"],
    )
    assert plan["items"][0]["due_on"] == (MADE + timedelta(days=60)).date()
    for milestone in plan["items"][0]["milestones"]:
        plan = await goals.mark_milestone(
            principal("ada"), "p", "x", goal_id, milestone["milestone_id"], True
        )
    assert plan["items"][0]["status"] == "completed"
    last = plans.published[-1].payload
    assert isinstance(last, GoalUpdatedV1)
    assert (last.status, last.progress_percent, last.milestones_done) == ("completed", 100, 2)
    assert "Ship" not in last.model_dump_json() and "outline" not in last.model_dump_json()
    with pytest.raises(NotFound):  # another mentee of the program: the match does not exist
        await goals.set_goal(
            principal("bob"), "p", "x", title="x", description="", due_in_days=None, milestones=[]
        )
    with pytest.raises(NotFound):  # another tenant
        await goals.read(principal("sam", tenant="other"), "p", "x")


async def test_an_ended_mentorship_takes_no_new_goals() -> None:
    _, access = world(ended=epoch(NOW - timedelta(days=1)))
    goals = Goals(access=access, plans=FakeRepository(GoalPlan), clock=lambda: NOW)
    with pytest.raises(Conflict):
        await goals.set_goal(
            principal("sam"), "p", "x", title="x", description="", due_in_days=None, milestones=[]
        )


async def test_check_ins_once_per_round_due_and_private_comments_stay_home() -> None:
    _, access = world()
    answers = FakeRepository(CheckInAnswer)
    check_ins = CheckIns(
        access=access, answers=answers, rules=FakeRepository(ProgramRules), clock=lambda: NOW
    )
    await check_ins.answer(
        principal("sam"), "p", "x", "day_30", score=4, comment="secret", visibility="private"
    )
    (published,) = [m.payload for m in answers.published]
    assert isinstance(published, CheckInAnsweredV1) and published.has_comment
    assert "secret" not in published.model_dump_json()
    with pytest.raises(Conflict):
        await check_ins.answer(
            principal("sam"), "p", "x", "day_30", score=1, comment="", visibility="public"
        )
    with pytest.raises(Conflict):  # day 90 is not due 40 days after the match
        await check_ins.answer(
            principal("ada"), "p", "x", "day_90", score=3, comment="", visibility="public"
        )
    seen_by_mentor = await check_ins.read(principal("ada"), "p", "x")
    assert seen_by_mentor["items"][0]["public"] == [] and seen_by_mentor["items"][0]["answers"] == 1


async def test_reports_are_for_admins_and_hide_erased_members() -> None:
    buckets, access = world()
    buckets.put(
        Target("t", "p", "members", "sam"),
        {"v": 2, "m": "m-sam", "r": [], "a": False, "x": True, "p": False},
    )
    reports = Reports(
        buckets=buckets,
        access=access,
        rules=FakeRepository(ProgramRules),
        answers=FakeRepository(CheckInAnswer),
        clock=lambda: NOW,
    )
    with pytest.raises(Forbidden):
        await reports.health(principal("ada"), "p", None)
    with pytest.raises(NotFound):
        await reports.health(principal("olga", "org_admin", tenant="other"), "p", None)
    rows = (await reports.mentorships(principal("olga", "org_admin"), "p", None))["items"]
    assert rows[0]["mentee_user_ids"] == ["erased"] and rows[0]["mentor_user_id"] == "ada"
