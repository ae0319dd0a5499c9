"""Matching in the fault suite: mentees ask, mentors accept (or decline when full), pairs
end their mentorships, on two replicas sharing one database and consumer group.

Checks (topics and API only): every acknowledged request and match exists and was
published; no request became two matches, no pair is matched twice at once, no mentor
holds more active mentees than their capacity; the mentor cards and profiles' mentor load
agree with the matches.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

from faultkit import registry
from faultkit.checker import Finding, Platform
from faultkit.flows.profiles import join_members
from faultkit.load import Clients, Ledger, World, idempotency_key, until

registry.service(registry.Service("matching", replicas=2, rebuild_module="matching.rebuild"))


def _state(world: World) -> dict[str, Any]:
    return world.state.setdefault(
        "matching", {"idle": set(world.mentees), "pending": {}, "active": {}}
    )


@registry.setup("matching: every mentor known to matching (from profiles' events)", order=10)
async def mentors_known(world: World, clients: Clients) -> None:
    api = clients["matching"]
    for mentor in [*world.mentors, world.probe_mentor]:
        r, _ = await api.call(
            "setup",
            "GET",
            "/v1/programs/{pid}/mentors/{mid}",
            headers=world.auth(world.mentees[0]),
            retry_for=90,
            pid=world.program_id,
            mid=world.members[mentor],
        )
        while r is not None and r.status_code == 404:  # not projected yet
            await asyncio.sleep(0.3)
            r, _ = await api.call(
                "setup",
                "GET",
                "/v1/programs/{pid}/mentors/{mid}",
                headers=world.auth(world.mentees[0]),
                retry_for=90,
                pid=world.program_id,
                mid=world.members[mentor],
            )
        assert r is not None and r.status_code == 200, r and r.text
    _state(world)


@registry.flow("mentorship-request", service="matching", rate=1.5)
async def request(world: World, clients: Clients, ledger: Ledger) -> None:
    state = _state(world)
    if not state["idle"]:
        return
    mentee = random.choice(sorted(state["idle"]))
    state["idle"].discard(mentee)
    mentor = random.choice(world.mentors)
    r, _ = await clients["matching"].call(
        "mentorship-request",
        "POST",
        "/v1/programs/{pid}/requests",
        headers={**world.auth(mentee), **idempotency_key()},
        json={"mentor_id": world.members[mentor], "message": "Would you mentor me?"},
        retry_for=20,
        pid=world.program_id,
    )
    if r is not None and r.status_code == 201:
        rid = r.json()["request_id"]
        ledger.ack("request", rid, mentee=mentee, mentor=mentor)
        state["pending"][rid] = (mentee, mentor)
        return
    if r is None or r.status_code >= 500:
        ledger.maybe("request", "", mentee=mentee, mentor=mentor)
    state["idle"].add(mentee)


@registry.flow("mentorship-accept", service="matching", rate=1.5)
async def accept(world: World, clients: Clients, ledger: Ledger) -> None:
    state = _state(world)
    if not state["pending"]:
        return
    rid = random.choice(sorted(state["pending"]))
    mentee, mentor = state["pending"].pop(rid)
    api = clients["matching"]
    r, attempts = await api.call(
        "mentorship-accept",
        "POST",
        "/v1/requests/{rid}/accept",
        headers=world.auth(mentor),
        retry_for=20,
        rid=rid,
    )
    if r is not None and r.status_code == 200:
        match_id = r.json()["match"]["match_id"]
        ledger.ack("match", match_id, request=rid, mentee=mentee, mentor=mentor)
        state["active"][match_id] = (mentee, mentor)
        return
    if r is None or r.status_code >= 500 or attempts > 1:
        ledger.maybe("match", rid, mentee=mentee, mentor=mentor)
    # full, or the outcome is unknown: decline, so the mentee may ask someone else
    d, _ = await api.call(
        "mentorship-accept",
        "POST",
        "/v1/requests/{rid}/decline",
        headers=world.auth(mentor),
        json={"reason": "at_capacity"},
        retry_for=20,
        rid=rid,
    )
    if d is not None and d.status_code == 200:
        state["idle"].add(mentee)


@registry.flow("mentorship-end", service="matching", rate=0.6)
async def end(world: World, clients: Clients, ledger: Ledger) -> None:
    state = _state(world)
    if len(state["active"]) < 4:  # keep mentors busy so accepts race for the last slots
        return
    match_id = random.choice(sorted(state["active"]))
    mentee, mentor = state["active"].pop(match_id)
    r, _ = await clients["matching"].call(
        "mentorship-end",
        "POST",
        "/v1/matches/{mid}/end",
        headers=world.auth(mentee),
        json={"reason": "completed"},
        retry_for=20,
        mid=match_id,
    )
    if r is not None and r.status_code == 200:
        ledger.ack("end", match_id, mentee=mentee, mentor=mentor)
        state["idle"].add(mentee)
    else:
        ledger.maybe("end", match_id, mentee=mentee, mentor=mentor)


async def _matches_of(world: World, platform: Platform, user: str) -> list[dict[str, Any]]:
    return await platform.clients["matching"].all_pages(
        "/v1/programs/{pid}/matches", headers=world.auth(user), pid=world.program_id
    )


@registry.check("matching: acknowledged requests and matches exist and were published")
async def acknowledged_kept(world: World, ledger: Ledger, platform: Platform) -> list[Finding]:
    findings = []
    requested = {e["data"]["request_id"] for e in platform.events("mentorship-requested")}
    made = {e["data"]["match_id"] for e in platform.events("match-made")}
    ended = {e["data"]["match_id"] for e in platform.events("mentorship-ended")}
    api = platform.clients["matching"]
    for ack in ledger.acked("request"):
        if ack.key not in requested:
            findings.append(Finding("lost", f"request {ack.key} not on mentorship-requested"))
        r, _ = await api.call(
            "check",
            "GET",
            "/v1/requests/{rid}",
            headers=world.auth(ack.data["mentee"]),
            retry_for=30,
            rid=ack.key,
        )
        if r is None or r.status_code != 200:
            findings.append(
                Finding("lost", f"request {ack.key}: GET answered {r and r.status_code}")
            )
    for ack in ledger.acked("match"):
        if ack.key not in made:
            findings.append(Finding("lost", f"match {ack.key} not on match-made"))
        r, _ = await api.call(
            "check",
            "GET",
            "/v1/matches/{mid}",
            headers=world.auth(ack.data["mentor"]),
            retry_for=30,
            mid=ack.key,
        )
        if r is None or r.status_code != 200:
            findings.append(Finding("lost", f"match {ack.key}: GET answered {r and r.status_code}"))
    for ack in ledger.acked("end"):
        if ack.key not in ended:
            findings.append(Finding("lost", f"end of {ack.key} not on mentorship-ended"))
    return findings


@registry.check("matching: no request matched twice, no pair twice, no capacity exceeded")
async def no_duplicate_effects(world: World, ledger: Ledger, platform: Platform) -> list[Finding]:
    findings = []
    by_request: dict[str, set[str]] = {}
    for e in platform.events("match-made"):
        if e["data"].get("request_id"):
            by_request.setdefault(e["data"]["request_id"], set()).add(e["data"]["match_id"])
    for rid, matches in by_request.items():
        if len(matches) > 1:
            findings.append(Finding("duplicate", f"request {rid} made {len(matches)} matches"))
    api = platform.clients["matching"]
    for mentor in world.mentors:
        active = [m for m in await _matches_of(world, platform, mentor) if m["status"] == "active"]
        pairs = Counter(m["other_member_id"] for m in active)
        for mentee, n in pairs.items():
            if n > 1:
                findings.append(Finding("duplicate", f"{mentor} and {mentee} matched {n} times"))
        if len(active) > world.capacity[mentor]:
            findings.append(
                Finding(
                    "duplicate",
                    f"{mentor} has {len(active)} active mentees, capacity {world.capacity[mentor]}",
                )
            )
        card, _ = await api.call(
            "check",
            "GET",
            "/v1/programs/{pid}/mentors/{mid}",
            headers=world.auth(mentor),
            retry_for=30,
            pid=world.program_id,
            mid=world.members[mentor],
        )
        assert card is not None and card.status_code == 200, card and card.text
        if card.json()["active_mentees"] != len(active):
            findings.append(
                Finding(
                    "read-model",
                    f"{mentor}: card says {card.json()['active_mentees']} active mentees, "
                    f"the matches list {len(active)}",
                )
            )
        me, _ = await platform.clients["profiles"].call(
            "check",
            "GET",
            "/v1/programs/{pid}/members/me",
            headers=world.auth(mentor),
            retry_for=30,
            pid=world.program_id,
        )
        assert me is not None and me.status_code == 200, me and me.text
        if me.json().get("current_load") != len(active):
            findings.append(
                Finding(
                    "read-model",
                    f"{mentor}: profiles shows load {me.json().get('current_load')}, matching "
                    f"{len(active)} active mentees",
                )
            )
    return findings


@registry.snapshot(
    "matching: every mentor's and mentee's mentorships and requests", service="matching"
)
async def mentorships_view(world: World, clients: Clients) -> dict[str, Any]:
    platform = Platform(clients, {})
    out: dict[str, Any] = {}
    for user in [*world.mentors, *world.mentees]:
        matches = await _matches_of(world, platform, user)
        out[user] = sorted((m["match_id"], m["status"], m["other_member_id"]) for m in matches)
    return out


#: mentorships that stay open the whole run, for the flows of the services built on a match
#: (messages, meetings): a mentor of their own and mentees no other flow touches
PAIR_MENTOR, N_PAIRS = "pair-mentor", 3


@registry.setup("matching: steady pairs (a mentor and mentees of their own, matched)", order=12)
async def steady_pairs(world: World, clients: Clients) -> None:
    matching = clients["matching"]
    mentees = [f"pair-mentee{i}" for i in range(N_PAIRS)]
    people = [(PAIR_MENTOR, {"roles": ["mentor"], "capacity": 10, "accepting_mentees": True})]
    people += [(m, {"roles": ["mentee"], "goals": ["Python"]}) for m in mentees]
    await join_members(world, clients, people)
    pairs: list[tuple[str, str, str]] = []
    for mentee in mentees:

        async def ask(mentee: str = mentee) -> str | None:
            r, _ = await matching.call(
                "setup",
                "POST",
                "/v1/programs/{pid}/requests",
                headers={**world.auth(mentee), **idempotency_key()},
                json={"mentor_id": world.members[PAIR_MENTOR], "message": "Steady pair?"},
                retry_for=30,
                pid=world.program_id,
            )
            return r.json()["request_id"] if r is not None and r.status_code == 201 else None

        rid = await until(f"{mentee} may ask the pair mentor", ask)
        r, _ = await matching.call(
            "setup",
            "POST",
            "/v1/requests/{rid}/accept",
            headers=world.auth(PAIR_MENTOR),
            retry_for=30,
            rid=rid,
        )
        assert r is not None and r.status_code == 200, r and r.text
        pairs.append((PAIR_MENTOR, mentee, r.json()["match"]["match_id"]))
    world.state["pairs"] = pairs
