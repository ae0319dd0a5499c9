"""Knowledge in the fault suite: the program's members mark library entries helpful (one
vote per member and entry, a claim by insert; retried as a client that was told nothing
may), and members who voted vote again (a repeat must change nothing).

The library is filled once, in setup, the way it fills in production: two steady pairs
each ask and answer in their conversation, nominate the exchange in messaging, both
consent (``exchange-consented``), and both approve the draft knowledge made of it. Each
entry costs an embedding or two, so the flow writes votes, not entries.

Checks (API only: votes are not published): each entry counts exactly its members who
were told their vote is held (plus, at most, those whose answer never came), each of
them sees their vote, and no repeat was counted. The snapshot (the library as a member
browses it, each entry as a member reads it) is compared after a restart, which rebuilds
the search index from the read model.

Not imported by ``faultkit/flows/__init__.py``, so not in the bounded run ``make test``
makes: one more process (a MiniLM model, five consumer groups) on a 2-core machine slows
every other service's recovery enough to take the run past its time budget. It passed
a whole run with the others; import it there to include it (``make soak`` has no budget).
"""

from __future__ import annotations

import random
from typing import Any

from faultkit import registry
from faultkit.checker import Finding, Platform
from faultkit.load import Clients, Ledger, World, idempotency_key, until

registry.service(registry.Service("knowledge"))
LIBRARY = "/v1/programs/{pid}/knowledge"
EXCHANGES = [
    (
        "How many partitions should our orders topic get, when consumers fall behind at peak?",
        "Divide the peak write rate by what one consumer handles and add headroom: one "
        "partition is read by one consumer of a group, so partitions cap the parallelism.",
    ),
    (
        "What is a good first step to find out why our Python service answers so slowly?",
        "Profile one slow request before changing anything: py-spy on the running process "
        "shows where the time goes, often a query inside a loop or a blocking call.",
    ),
]


def _state(world: World) -> dict[str, Any]:
    return world.state.setdefault("knowledge", {"entries": [], "voted": {}, "unsure": {}})


@registry.setup("knowledge: two entries published from the steady pairs' exchanges", order=30)
async def library(world: World, clients: Clients) -> None:
    for (mentor, mentee, match_id), (question, answer) in zip(
        world.state["pairs"], EXCHANGES, strict=False
    ):
        cid = world.state["conversations"][match_id]
        entry_id = await _exchange(world, clients, cid, mentee, mentor, question, answer)
        await _publish(world, clients, entry_id, (mentee, mentor))
        _state(world)["entries"].append(entry_id)


async def _exchange(
    world: World, clients: Clients, cid: str, asker: str, answerer: str, q: str, a: str
) -> str:
    """The exchange nominated and consented in messaging; the draft's id in knowledge."""
    messaging = clients["messaging"]
    ids = []
    for user, body in ((asker, q), (answerer, a)):
        r, _ = await messaging.call(
            "setup",
            "POST",
            "/v1/conversations/{cid}/messages",
            headers={**world.auth(user), **idempotency_key()},
            json={"body": body},
            retry_for=30,
            cid=cid,
        )
        assert r is not None and r.status_code == 201, r and r.text
        ids.append(r.json()["id"])
    r, _ = await messaging.call(
        "setup",
        "POST",
        "/v1/conversations/{cid}/exchanges",
        headers={**world.auth(asker), **idempotency_key()},
        json={"question_message_ids": ids[:1], "answer_message_ids": ids[1:]},
        retry_for=30,
        cid=cid,
    )
    assert r is not None and r.status_code == 201, r and r.text
    xid = r.json()["exchange_id"]
    for user in (asker, answerer):
        r, _ = await messaging.call(
            "setup",
            "PUT",
            "/v1/conversations/{cid}/exchanges/{xid}/consents/me",
            headers=world.auth(user),
            json={"credit": True},
            retry_for=30,
            cid=cid,
            xid=xid,
        )
        assert r is not None and r.status_code == 200, r and r.text

    async def drafted() -> str | None:
        r, _ = await clients["knowledge"].call(
            "setup",
            "GET",
            LIBRARY + "/drafts",
            headers=world.auth(asker),
            retry_for=30,
            pid=world.program_id,
        )
        mine = r.json() if r is not None and r.status_code == 200 else []
        known = set(_state(world)["entries"])
        return next((d["id"] for d in mine if d["id"] not in known), None)

    return str(await until(f"knowledge drafts {asker}'s exchange", drafted, timeout=180))


async def _publish(world: World, clients: Clients, entry_id: str, authors: tuple[str, ...]) -> None:
    """Each author approves the draft as it is now (a retry after a lost answer reloads)."""
    api = clients["knowledge"]
    for author in authors:

        async def approved(author: str = author) -> bool:
            r, _ = await api.call(
                "setup",
                "GET",
                LIBRARY + "/entries/{eid}",
                headers=world.auth(author),
                retry_for=30,
                pid=world.program_id,
                eid=entry_id,
            )
            assert r is not None and r.status_code == 200, r and r.text
            entry = r.json()
            if entry["status"] == "published" or author in (entry["approved_by"] or []):
                return True
            await api.call(
                "setup",
                "POST",
                LIBRARY + "/entries/{eid}/approval",
                headers={**world.auth(author), "If-Match": r.headers["ETag"]},
                pid=world.program_id,
                eid=entry_id,
            )
            return False

        await until(f"{author} approved {entry_id}", approved, timeout=120)


def _voters(world: World) -> list[str]:
    return sorted(world.members)


@registry.flow("helpful-vote", service="knowledge", rate=0.4)
async def vote(world: World, clients: Clients, ledger: Ledger) -> None:
    state = _state(world)
    entry_id = random.choice(state["entries"])
    voted = state["voted"].setdefault(entry_id, set())
    unsure = state["unsure"].setdefault(entry_id, set())
    fresh = [u for u in _voters(world) if u not in voted and u not in unsure]
    repeat = bool(voted) and (not fresh or random.random() < 0.2)
    if not fresh and not repeat:
        return
    user = random.choice(sorted(voted)) if repeat else random.choice(fresh)
    unsure.add(user)  # until an answer says the vote is held
    r, _ = await clients["knowledge"].call(
        "helpful-vote",
        "PUT",
        LIBRARY + "/entries/{eid}/helpful",
        headers=world.auth(user),
        retry_for=20,
        pid=world.program_id,
        eid=entry_id,
    )
    if r is not None and r.status_code == 200:
        # held either way: counted now, or an earlier try whose answer was lost counted it
        ledger.ack("vote", entry_id, user=user, repeat=repeat, counted=r.json()["counted"])
        voted.add(user)
        unsure.discard(user)
    elif r is None or r.status_code >= 500:
        ledger.maybe("vote", entry_id, user=user)
    else:
        unsure.discard(user)


async def _entry(world: World, clients: Clients, entry_id: str, reader: str) -> dict[str, Any]:
    r, _ = await clients["knowledge"].call(
        "check",
        "GET",
        LIBRARY + "/entries/{eid}",
        headers=world.auth(reader),
        retry_for=30,
        pid=world.program_id,
        eid=entry_id,
    )
    assert r is not None and r.status_code == 200, r and r.text
    return dict(r.json())


@registry.check("knowledge: each held vote counted once, seen by its voter, repeats not counted")
async def votes_kept(world: World, ledger: Ledger, platform: Platform) -> list[Finding]:
    findings = []
    held: dict[str, set[str]] = {}
    for ack in ledger.acked("vote"):
        held.setdefault(ack.key, set()).add(ack.data["user"])
        if ack.data["repeat"] and ack.data["counted"]:
            findings.append(
                Finding("duplicate", f"{ack.data['user']}'s repeat vote on {ack.key} counted")
            )
    maybe: dict[str, set[str]] = {}
    for m in ledger.unknown:
        if m.kind == "vote":
            maybe.setdefault(m.key, set()).add(m.data["user"])
    for entry_id in _state(world)["entries"]:
        voters = held.get(entry_id, set())
        most = len(voters | maybe.get(entry_id, set()))
        count = (await _entry(world, platform.clients, entry_id, world.mentees[0]))["helpful"]
        if count < len(voters):
            findings.append(Finding("lost", f"{entry_id}: {count} votes, {len(voters)} held"))
        if count > most:
            findings.append(Finding("duplicate", f"{entry_id}: {count} votes from {most} voters"))
        for user in sorted(voters):
            if not (await _entry(world, platform.clients, entry_id, user))["voted_helpful"]:
                findings.append(Finding("lost", f"{user}'s vote on {entry_id} not shown to them"))
    return findings


@registry.snapshot("knowledge: the library as a member browses and reads it", service="knowledge")
async def library_view(world: World, clients: Clients) -> dict[str, Any]:
    reader = world.mentees[0]
    r, _ = await clients["knowledge"].call(
        "snapshot",
        "GET",
        LIBRARY + "/entries",
        headers=world.auth(reader),
        retry_for=30,
        pid=world.program_id,
    )
    assert r is not None and r.status_code == 200, r and r.text
    out: dict[str, Any] = {
        "browse": sorted((e["id"], e["title"], e["duplicates"], e["helpful"]) for e in r.json())
    }
    for entry_id in _state(world)["entries"]:
        e = await _entry(world, clients, entry_id, reader)
        keep = ("status", "version", "title", "topics", "duplicate_of", "helpful", "published_at")
        out[entry_id] = {k: e[k] for k in keep}
    return out
