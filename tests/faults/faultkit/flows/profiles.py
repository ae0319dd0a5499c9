"""Profiles in the fault suite: a program and its people, members editing their profiles.

Checks (from what clients were told, the topic and the API only): every acknowledged edit
reached ``profile-changed`` with its version and the member's profile ends at the last
acknowledged (or an unknown later) headline; versions of a member never go backwards.
"""

from __future__ import annotations

import random
from typing import Any

from faultkit import registry
from faultkit.checker import Finding, Platform
from faultkit.load import Clients, Ledger, World, idempotency_key

N_MENTORS, N_MENTEES = 6, 24
SKILLS = ["Python", "Kubernetes", "Go", "SQL", "UX", "Kafka", "Rust", "Design"]

registry.service(registry.Service("profiles", env={"PROFILES_PROJECTOR_POLL_SECONDS": "0.5"}))
registry.ORDER_FIELDS["profile-changed"] = "profile_version"


@registry.setup("profiles: a program, mentors with capacities, mentees", order=0)
async def build(world: World, clients: Clients) -> None:
    api = clients["profiles"]
    r, _ = await api.call(
        "setup",
        "POST",
        "/v1/programs",
        headers={**world.auth(world.admin, "org_admin"), **idempotency_key()},
        json={"name": "Fault drill", "requires_mentor_approval": False, "default_capacity": 2},
        retry_for=30,
    )
    assert r is not None and r.status_code == 201, r and r.text
    world.program_id = r.json()["program_id"]
    world.mentors = [f"mentor{i}" for i in range(N_MENTORS)]
    world.mentees = [f"mentee{i}" for i in range(N_MENTEES)]
    people: list[tuple[str, dict[str, Any]]] = [
        (
            user,
            {
                "roles": ["mentor"],
                "skills": SKILLS[i % 8 : i % 8 + 2],
                "capacity": 2 + i % 2,
                "accepting_mentees": True,
            },
        )
        for i, user in enumerate(world.mentors)
    ]
    people.append(
        (world.probe_mentor, {"roles": ["mentor"], "capacity": 50, "accepting_mentees": True})
    )
    people += [
        (user, {"roles": ["mentee"], "goals": [SKILLS[i % 8]]})
        for i, user in enumerate(world.mentees)
    ]
    await join_members(world, clients, people)
    for user, profile in people:
        if "capacity" in profile:
            world.capacity[user] = profile["capacity"]


async def join_members(
    world: World, clients: Clients, people: list[tuple[str, dict[str, Any]]]
) -> None:
    """Each (user, profile) joins the drill's program; their member ids go to the world."""
    for user, profile in people:
        r, _ = await clients["profiles"].call(
            "setup",
            "POST",
            "/v1/programs/{pid}/members",
            headers=world.auth(user),
            json={"display_name": user.title(), "languages": ["en"], "headline": "v0", **profile},
            retry_for=30,
            pid=world.program_id,
        )
        assert r is not None and r.status_code == 201, r and r.text
        world.members[user] = r.json()["member_id"]


async def edit_headline(
    world: World, clients: Clients, ledger: Ledger, user: str, headline: str, flow: str
) -> bool:
    """Read, then edit with If-Match; True when the edit was acknowledged."""
    api, auth = clients["profiles"], world.auth(user)
    async with world.lock(f"profile:{user}"):
        me, _ = await api.call(
            flow, "GET", "/v1/programs/{pid}/members/me", headers=auth, pid=world.program_id
        )
        if me is None or me.status_code != 200:
            return False
        r, attempts = await api.call(
            flow,
            "PATCH",
            "/v1/programs/{pid}/members/me",
            headers={**auth, "If-Match": me.headers["ETag"]},
            json={"headline": headline},
            retry_for=20,
            pid=world.program_id,
        )
        member = world.members[user]
        if r is not None and r.status_code == 200:
            ledger.ack("profile-edit", member, headline=headline, version=r.json()["version"])
            return True
        if r is None or r.status_code >= 500 or (r.status_code == 412 and attempts > 1):
            ledger.maybe("profile-edit", member, headline=headline)  # it may have landed
        return False


@registry.flow("profile-edit", service="profiles", rate=3.0)
async def profile_edit(world: World, clients: Clients, ledger: Ledger) -> None:
    user = random.choice(world.mentors + world.mentees)
    await edit_headline(world, clients, ledger, user, f"h{ledger.now():.3f}", "profile-edit")


@registry.check("profiles: acknowledged edits are on profile-changed and in the profile")
async def edits_kept(world: World, ledger: Ledger, platform: Platform) -> list[Finding]:
    findings: list[Finding] = []
    published = {
        (e["data"]["member_id"], e["data"]["profile_version"])
        for e in platform.events("profile-changed")
    }
    last: dict[str, dict[str, Any]] = {}
    for ack in ledger.acked("profile-edit"):
        if (ack.key, ack.data["version"]) not in published:
            findings.append(
                Finding("lost", f"edit {ack.key} v{ack.data['version']} not on profile-changed")
            )
        if ack.key not in last or ack.data["version"] > last[ack.key]["version"]:
            last[ack.key] = {**ack.data, "at": ack.at}
    later_unknown: dict[str, set[str]] = {}
    for maybe in ledger.unknown:
        if maybe.kind == "profile-edit":
            if maybe.key not in last or maybe.at > last[maybe.key]["at"]:
                later_unknown.setdefault(maybe.key, set()).add(maybe.data["headline"])
    users = {member: user for user, member in world.members.items()}
    api = platform.clients["profiles"]
    for member, ack in last.items():
        r, _ = await api.call(
            "check",
            "GET",
            "/v1/programs/{pid}/members/me",
            headers=world.auth(users[member]),
            retry_for=30,
            pid=world.program_id,
        )
        assert r is not None and r.status_code == 200, r and r.text
        body = r.json()
        headline = body["profile"].get("headline")
        allowed = {ack["headline"], *later_unknown.get(member, set())}
        if headline not in allowed or body["version"] < ack["version"]:
            findings.append(
                Finding(
                    "lost",
                    f"{member}: profile shows {headline!r} v{body['version']}, the last "
                    f"acknowledged edit was {ack['headline']!r} v{ack['version']}",
                )
            )
    return findings


@registry.snapshot("profiles: every member's own view", service="profiles")
async def members_view(world: World, clients: Clients) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for user in [*world.mentors, *world.mentees]:  # not the probe: each catch-up edits it
        r, _ = await clients["profiles"].call(
            "snapshot",
            "GET",
            "/v1/programs/{pid}/members/me",
            headers=world.auth(user),
            retry_for=30,
            pid=world.program_id,
        )
        assert r is not None and r.status_code == 200, r and r.text
        body = r.json()
        out[user] = {k: body.get(k) for k in ("version", "roles", "profile", "current_load")}
    return out
