"""Messaging in the fault suite: the steady pairs chat (each send with an Idempotency-Key,
retried on another attempt as a client that was told nothing may).

Checks (topic and API only): every acknowledged message is in its conversation's history
with its body and on ``message-sent``; no body (each one is unique) is there twice.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections import Counter
from typing import Any

from faultkit import registry
from faultkit.checker import UNORDERED, Finding, Platform
from faultkit.load import Clients, Ledger, World, idempotency_key, until

registry.service(registry.Service("messaging", env={"MESSAGING_DIGEST_POLL_SECONDS": "3600"}))
UNORDERED["messaging-live"] = (
    "best-effort notices published straight to Kafka, not through the outbox; a socket "
    "orders by its member's feed positions and reads the feed at a hole"
)
_sent = itertools.count()


@registry.setup("messaging: each steady pair's conversation (opened from match-made)", order=20)
async def conversations(world: World, clients: Clients) -> None:
    found: dict[str, str] = {}
    for _mentor, mentee, match_id in world.state["pairs"]:

        async def pair_conversation(mentee: str = mentee) -> str | None:
            r, _ = await clients["messaging"].call(
                "setup", "GET", "/v1/conversations", headers=world.auth(mentee), retry_for=30
            )
            rows = (
                [c for c in r.json() if c["kind"] == "pair"] if r and r.status_code == 200 else []
            )
            return rows[0]["conversation_id"] if rows else None

        found[match_id] = await until(f"{mentee}'s conversation", pair_conversation)
    world.state["conversations"] = found


@registry.flow("message", service="messaging", rate=2.0)
async def send(world: World, clients: Clients, ledger: Ledger) -> None:
    mentor, mentee, match_id = random.choice(world.state["pairs"])
    cid = world.state["conversations"][match_id]
    sender = random.choice([mentor, mentee])
    body = f"message {next(_sent)} {uuid.uuid4().hex[:8]}"
    r, _ = await clients["messaging"].call(
        "message",
        "POST",
        "/v1/conversations/{cid}/messages",
        headers={**world.auth(sender), **idempotency_key()},
        json={"body": body},
        retry_for=20,
        cid=cid,
    )
    if r is not None and r.status_code == 201:
        ledger.ack("message", r.json()["id"], conversation=cid, body=body, reader=mentee)
    elif r is None or r.status_code >= 500:
        ledger.maybe("message", "", conversation=cid, body=body, reader=mentee)


async def history(world: World, clients: Clients, cid: str, reader: str) -> list[dict[str, Any]]:
    return await clients["messaging"].all_pages(
        "/v1/conversations/{cid}/messages", headers=world.auth(reader), cid=cid
    )


@registry.check("messaging: acknowledged messages kept once, in history and on message-sent")
async def messages_kept(world: World, ledger: Ledger, platform: Platform) -> list[Finding]:
    findings = []
    published = {e["data"]["message_id"] for e in platform.events("message-sent")}
    for _mentor, mentee, match_id in world.state["pairs"]:
        cid = world.state["conversations"][match_id]
        held = await history(world, platform.clients, cid, mentee)
        by_id = {m["id"]: m for m in held}
        for body, n in Counter(m["body"] for m in held).items():
            if n > 1:
                findings.append(Finding("duplicate", f"message {body!r} is in {cid} {n} times"))
        for ack in ledger.acked("message"):
            if ack.data["conversation"] != cid:
                continue
            if ack.key not in by_id or by_id[ack.key]["body"] != ack.data["body"]:
                findings.append(Finding("lost", f"message {ack.key} not in {cid}'s history"))
            if ack.key not in published:
                findings.append(Finding("lost", f"message {ack.key} not on message-sent"))
    return findings


@registry.snapshot("messaging: the steady pairs' histories", service="messaging")
async def histories(world: World, clients: Clients) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _mentor, mentee, match_id in world.state["pairs"]:
        cid = world.state["conversations"][match_id]
        out[cid] = sorted(
            (m["id"], m["number"], m["body"]) for m in await history(world, clients, cid, mentee)
        )
    return out
