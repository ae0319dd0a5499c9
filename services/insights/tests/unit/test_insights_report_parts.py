"""Reports added up from per-bucket parts equal the report of the whole program as one
part, and a part kept until its ``until`` equals one computed afresh (pure: no I/O)."""

from __future__ import annotations

import json
import random
from typing import Any

from insights.application.reports import Parts, Program
from insights.domain import health
from insights.domain import report_parts as rp
from insights.domain.projection import Entries, merge
from insights.domain.rules import DAY, HealthRules

T0 = 1_767_225_600  # 2026-01-01


def program(rng: random.Random, buckets: int) -> tuple[list[str], list[Entries]]:
    """A program cut into buckets: members, requests and mentorships with activity."""
    ids = ["t|p|program|000"] + [f"t|p|members|{n:03d}" for n in range(buckets)]
    ids += [f"t|p|applications|{n:03d}" for n in range(1)]
    ids += [f"t|p|requests|{n:03d}" for n in range(buckets)]
    ids += [f"t|p|mentorships|{n:03d}" for n in range(buckets)]
    read: list[Entries] = [{"config": {"name": "P", "org": "o"}}]
    members: list[Entries] = [{} for _ in range(buckets)]
    for i in range(60):
        members[i % buckets][f"u{i}"] = {
            "v": 1,
            "m": f"m{i}",
            "r": ["mentor"] if i % 3 == 0 else ["mentee"],
            "a": i % 2 == 0,
            "x": i % 17 == 0,
            "p": i % 5 == 0,
        }
    read += members
    read.append({"a1": {"s": "submitted", "at": T0, "decided": 0}})
    requests: list[Entries] = [{} for _ in range(buckets)]
    for i in range(40):
        at = T0 + rng.randrange(100 * DAY)
        first = at + rng.randrange(96 * 3600) if rng.random() < 0.8 else 0
        requests[i % buckets][f"r{i}"] = {
            "at": at,
            "mentor": "u0",
            "mentee": f"u{i}",
            "resp": rng.choice(["accepted", "declined", ""]) if first else "",
            "first": first,
            "last": first,
            "why": "",
        }
    read += requests
    mentorships: list[Entries] = [{} for _ in range(buckets)]
    for i in range(50):
        made = T0 + rng.randrange(100 * DAY) if rng.random() < 0.95 else 0
        mentor, mentee = f"u{3 * (i % 20)}", f"u{i + 1}"
        meetings = {}
        for n in range(rng.randrange(4)):
            starts = made + rng.randrange(150 * DAY)
            meetings[f"x{n}"] = [0, starts, starts + 3600, int(rng.random() < 0.2)]
        senders = {
            who: [rng.randrange(1, 9), made + rng.randrange(150 * DAY)]
            for who in (mentor, mentee)
            if rng.random() < 0.7
        }
        answers = {
            f"a{n}": [
                rng.choice(["day_30", "day_90"]),
                rng.choice(["mentor", "mentee"]),
                f"u{rng.randrange(60)}",
                rng.randrange(1, 6),
                "private",
                made + rng.randrange(150 * DAY),
                rng.randrange(2),
            ]
            for n in range(rng.randrange(4))
        }
        goals = {
            f"g{n}": [1, rng.choice(["open", "completed", "removed"]), rng.randrange(101), None]
            for n in range(rng.randrange(3))
        }
        mentorships[i % buckets][f"match{i:02d}"] = {
            "made": made,
            "mode": "one_to_one",
            "mentor": mentor,
            "mentees": [mentee],
            "ended": made + 120 * DAY if made and rng.random() < 0.3 else 0,
            "why": rng.choice(["completed", "inactive"]),
            "by": "mentee",
            "msgs": sum(c for c, _ in senders.values()),
            "senders": senders,
            "recent": [],
            "meetings": meetings,
            "docs": [],
            "answers": answers,
            "goals": goals,
        }
    read += mentorships
    return ids, read


def whole(ids: list[str], read: list[Entries]) -> health.ProgramState:
    def kind(name: str) -> Entries:
        return merge([e for i, e in zip(ids, read, strict=True) if i.split("|")[2] == name])

    return health.ProgramState(
        "p",
        read[0]["config"],
        kind("members"),
        kind("applications"),
        kind("requests"),
        kind("mentorships"),
    )


def reports_from_parts(p: Program, rules: HealthRules, moment: int) -> list[Any]:
    t = health.Thresholds.of(rules)
    erased = rp.erased_of(p.timeless("members", rp.members_part))
    answers = p.timed("mentorships", moment, lambda e: rp.answers_part(e, moment), what="a")
    return [
        rp.health_report(
            "p",
            p.entries("program")[0]["config"],
            rules,
            moment,
            members=p.timeless("members", rp.members_part),
            pending=sum(p.timeless("applications", rp.pending_applications)),
            requests=p.timeless("requests", rp.requests_part),
            mentorships=p.timed(
                "mentorships", moment, lambda e: rp.mentorships_part(e, t, moment), what="h"
            ),
        ),
        rp.mentorships_report(
            p.timed(
                "mentorships",
                moment,
                lambda e: rp.rows_part(e, t, moment, lambda u: health.ERASED if u in erased else u),
                what="rows",
                extra=erased,
            )
        ),
        rp.goals_report("p", moment, p.timeless("mentorships", rp.goal_rows_part, what="g")),
        rp.check_in_report("p", moment, answers),
        rp.comment_groups(answers),
    ]


def reports_whole(state: health.ProgramState, rules: HealthRules, moment: int) -> list[Any]:
    one = [rp.answers_part(state.mentorships, moment).value]
    return [
        rp.state_health_report(state, rules, moment),
        rp.state_mentorships_report(state, rules, moment),
        rp.state_goals_report(state, moment),
        rp.state_check_in_report(state, moment),
        rp.comment_groups(one),
    ]


def test_parts_kept_across_moments_give_the_whole_programs_reports() -> None:
    rng = random.Random(5)
    for buckets in (1, 5):
        ids, read = program(rng, buckets)
        state = whole(ids, read)
        cache = Parts()
        versions = [(0, 0)] * len(ids)
        for rules in (HealthRules(), HealthRules(quiet_after_days=2, inactive_after_days=5)):
            moment = T0
            while moment < T0 + 300 * DAY:
                kept = reports_from_parts(Program(cache, ids, versions, read, rules), rules, moment)
                assert json.dumps(kept) == json.dumps(reports_whole(state, rules, moment))
                moment += rng.choice([60, 7 * 3600, 2 * DAY, 6 * DAY])


def test_a_changed_bucket_is_computed_again() -> None:
    ids, read = program(random.Random(9), 4)
    cache, rules, moment = Parts(), HealthRules(), T0 + 90 * DAY
    before = reports_from_parts(
        Program(cache, ids, [(0, 0)] * len(ids), read, rules), rules, moment
    )
    where = ids.index("t|p|mentorships|001")
    read[where] = {}  # its mentorships gone, and its version says so
    versions = [(0, 1) if i == where else (0, 0) for i in range(len(ids))]
    after = reports_from_parts(Program(cache, ids, versions, read, rules), rules, moment)
    assert after[0]["mentorships"]["made"] < before[0]["mentorships"]["made"]
    assert json.dumps(after) == json.dumps(reports_whole(whole(ids, read), rules, moment))
