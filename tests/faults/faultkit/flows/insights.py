"""Insights in the fault suite: the steady pairs' mentors and mentees set goals and move
their progress (a new goal with an Idempotency-Key, a change with If-Match, retried as a
client that was told nothing may), while insights folds every other flow's events into
the program's reports.

Checks (topic and API only): every acknowledged goal write is on ``goal-updated`` exactly
once (its goal at its plan version) and in the pair's goals, each goal at its last
acknowledged (or a later unknown) progress; no goal (each title is unique) is there twice.
The snapshot is the admin's health and goals reports at a moment fixed for the run, so
the clock moves no number, compared with ``insights.rebuild``'s replay of the topics.
Check-ins are not answered: a pair matched during the run has no round due (the first
falls due days after the match date).
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from faultkit import registry
from faultkit.checker import Finding, Platform
from faultkit.load import Clients, Ledger, World, idempotency_key, until

registry.service(
    registry.Service(
        "insights",
        rebuild_module="insights.rebuild",
        rebuild_stopped=True,
        # no nudge in a run this short; the relay at its default poll (the fault run's
        # faster one is for the probe's path, which insights is not on)
        env={"INSIGHTS_NUDGE_SCAN_SECONDS": "3600", "INSIGHTS_RELAY_IDLE_POLL_SECONDS": "0.2"},
    )
)
registry.ORDER_FIELDS["goal-updated"] = "plan_version"
GOALS_PER_PAIR = 6  # of the 20 a mentorship may hold: most steps then move a progress
GOALS = "/v1/programs/{pid}/mentorships/{mid}/goals"
_goals = itertools.count()


@registry.setup("insights: the steady pairs and the program known to insights", order=20)
async def pairs_known(world: World, clients: Clients) -> None:
    # the reports' moment: after the whole run, fixed, so time moves no number
    as_of = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    world.state["insights"] = {"as_of": as_of.isoformat()}
    for _mentor, mentee, match_id in world.state["pairs"]:

        async def known(mentee: str = mentee, match_id: str = match_id) -> bool:
            r = await _read_goals(world, clients, mentee, match_id, "setup")
            return r is not None and r.status_code == 200

        await until(f"insights knows match {match_id}", known)

    async def reported() -> bool:
        return bool(await _report(world, clients, "health", "setup"))

    await until("insights reports on the program", reported)


@registry.flow("goal", service="insights", rate=0.5)
async def goal(world: World, clients: Clients, ledger: Ledger) -> None:
    mentor, mentee, match_id = random.choice(world.state["pairs"])
    user = random.choice([mentor, mentee])
    api, auth = clients["insights"], world.auth(user)
    async with world.lock(f"goals:{match_id}"):  # one writer per plan: If-Match holds
        plan, _ = await api.call(
            "goal", "GET", GOALS, headers=auth, pid=world.program_id, mid=match_id
        )
        if plan is None or plan.status_code != 200:
            return
        items = plan.json()["items"]
        if len(items) < GOALS_PER_PAIR and (not items or random.random() < 0.4):
            await _set_goal(world, clients, ledger, user, match_id)
            return
        target = random.choice(items)
        progress = random.randint(0, 100)
        r, attempts = await api.call(
            "goal",
            "PATCH",
            GOALS + "/{gid}",
            headers={**auth, "If-Match": plan.headers["ETag"]},
            json={"progress_percent": progress},
            retry_for=20,
            pid=world.program_id,
            mid=match_id,
            gid=target["goal_id"],
        )
        gid = target["goal_id"]
        if r is not None and r.status_code == 200:
            version = r.json()["version"]
            ledger.ack("goal", gid, match=match_id, version=version, progress=progress)
        elif r is None or r.status_code >= 500 or (r.status_code == 412 and attempts > 1):
            ledger.maybe("goal", gid, match=match_id, progress=progress)  # it may have landed


async def _set_goal(
    world: World, clients: Clients, ledger: Ledger, user: str, match_id: str
) -> None:
    title = f"goal {next(_goals)}"
    due = random.choice([None, 0, 30])  # due on the match date: overdue at the report's moment
    r, attempts = await clients["insights"].call(
        "goal",
        "POST",
        GOALS,
        headers={**world.auth(user), **idempotency_key()},
        json={"title": title, "due_in_days": due},
        retry_for=20,
        pid=world.program_id,
        mid=match_id,
    )
    if r is not None and r.status_code == 201:
        gid = r.headers["Location"].rsplit("/", 1)[-1]
        version = r.json()["version"]
        ledger.ack("goal", gid, match=match_id, version=version, progress=0, title=title)
    elif r is None or r.status_code >= 500 or attempts > 1:
        ledger.maybe("goal", "", match=match_id, progress=0, title=title)


async def _read_goals(
    world: World, clients: Clients, member: str, match_id: str, flow: str
) -> httpx.Response | None:
    r, _ = await clients["insights"].call(
        flow,
        "GET",
        GOALS,
        headers=world.auth(member),
        retry_for=30,
        pid=world.program_id,
        mid=match_id,
    )
    return r


async def goals_of(world: World, clients: Clients, mentee: str, match_id: str) -> dict[str, Any]:
    r = await _read_goals(world, clients, mentee, match_id, "check")
    assert r is not None and r.status_code == 200, r and r.text
    return dict(r.json())


@registry.check("insights: acknowledged goal writes on goal-updated once and in the goals")
async def goals_kept(world: World, ledger: Ledger, platform: Platform) -> list[Finding]:
    findings: list[Finding] = []
    published = Counter(
        (e["data"]["goal_id"], e["data"]["plan_version"]) for e in platform.events("goal-updated")
    )
    progress = {
        (e["data"]["goal_id"], e["data"]["plan_version"]): e["data"]["progress_percent"]
        for e in platform.events("goal-updated")
    }
    last: dict[str, dict[str, Any]] = {}  # goal id -> its last acknowledged write
    for ack in ledger.acked("goal"):
        at = (ack.key, ack.data["version"])
        if published[at] != 1:
            category = "lost" if published[at] == 0 else "duplicate"
            findings.append(
                Finding(category, f"goal {ack.key} v{at[1]} is {published[at]}x on goal-updated")
            )
        elif progress[at] != ack.data["progress"]:
            findings.append(
                Finding("lost", f"goal {ack.key} v{at[1]} published at {progress[at]}%")
            )
        if ack.key not in last or ack.data["version"] > last[ack.key]["version"]:
            last[ack.key] = {**ack.data, "at": ack.at}
    later_unknown: dict[str, set[int]] = {}
    for maybe in ledger.unknown:
        if maybe.kind == "goal" and maybe.key in last and maybe.at > last[maybe.key]["at"]:
            later_unknown.setdefault(maybe.key, set()).add(maybe.data["progress"])
    for _mentor, mentee, match_id in world.state["pairs"]:
        plan = await goals_of(world, platform.clients, mentee, match_id)
        held = {g["goal_id"]: g for g in plan["items"]}
        for title, n in Counter(g["title"] for g in plan["items"]).items():
            if n > 1:
                findings.append(Finding("duplicate", f"{title!r} is a goal of {match_id} {n}x"))
        for gid, wrote in last.items():
            if wrote["match"] != match_id:
                continue
            allowed = {wrote["progress"], *later_unknown.get(gid, set())}
            shown = held.get(gid, {}).get("progress_percent")
            if shown not in allowed or plan["version"] < wrote["version"]:
                findings.append(
                    Finding(
                        "lost",
                        f"goal {gid} of {match_id}: shows {shown}% (plan v{plan['version']}), "
                        f"the last acknowledged write was {wrote['progress']}% v{wrote['version']}",
                    )
                )
    return findings


async def _report(world: World, clients: Clients, name: str, flow: str) -> dict[str, Any]:
    r, _ = await clients["insights"].call(
        flow,
        "GET",
        "/v1/programs/{pid}/reports/" + name,
        headers=world.auth(world.admin, "org_admin"),
        params={"as_of": world.state["insights"]["as_of"]},
        retry_for=30,
        pid=world.program_id,
    )
    if flow == "setup" and r is not None and r.status_code == 404:
        return {}  # the program's configuration not folded yet
    assert r is not None and r.status_code == 200, r and r.text
    return dict(r.json())


@registry.snapshot("insights: the program's health and goals reports", service="insights")
async def reports(world: World, clients: Clients) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("health", "goals"):  # each section its own key: a difference names it
        report = await _report(world, clients, name, "snapshot")
        out |= {f"{name}.{key}": value for key, value in report.items()}
    return out
