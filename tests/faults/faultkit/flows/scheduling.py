"""Scheduling in the fault suite: the steady pairs' mentees book meetings with their mentor
(each booking at an hour no other booking asks for, with an Idempotency-Key, retried).

Checks (topic and API only): every acknowledged booking exists at its time and was
announced on ``meeting-booked``; no booking (each title is unique) became two meetings,
and the mentor never holds two meetings at one time.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from faultkit import registry
from faultkit.checker import Finding, Platform
from faultkit.flows.matching import PAIR_MENTOR
from faultkit.load import Clients, Ledger, World, idempotency_key, until

registry.service(registry.Service("scheduling"))
ALWAYS = [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "24:00"}]
_slot = itertools.count()


@registry.setup("scheduling: the pair mentor's availability, their matches known", order=20)
async def availability(world: World, clients: Clients) -> None:
    api = clients["scheduling"]
    r, _ = await api.call(
        "setup",
        "PUT",
        "/v1/me/availability",
        headers=world.auth(PAIR_MENTOR),
        json={"timezone": "UTC", "rules": ALWAYS},
        retry_for=30,
    )
    assert r is not None and r.status_code == 200, r and r.text
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    world.state["scheduling"] = {"first": first}
    for _mentor, mentee, match_id in world.state["pairs"]:

        async def known(mentee: str = mentee, match_id: str = match_id) -> bool:
            r, _ = await api.call(
                "setup",
                "GET",
                "/v1/matches/{mid}/slots",
                headers=world.auth(mentee),
                params={"days": 1},
                mid=match_id,
            )
            return r is not None and r.status_code == 200

        await until(f"scheduling knows match {match_id}", known)


@registry.flow("booking", service="scheduling", rate=1.0)
async def book(world: World, clients: Clients, ledger: Ledger) -> None:
    _mentor, mentee, match_id = random.choice(world.state["pairs"])
    n = next(_slot)
    starts = world.state["scheduling"]["first"] + timedelta(hours=n)
    title = f"booking {n}"
    r, _ = await clients["scheduling"].call(
        "booking",
        "POST",
        "/v1/matches/{mid}/meetings",
        headers={**world.auth(mentee), **idempotency_key()},
        json={"starts_at": starts.isoformat(), "duration_minutes": 60, "title": title},
        retry_for=20,
        mid=match_id,
    )
    if r is not None and r.status_code == 201:
        ledger.ack("booking", r.json()["meeting_id"], title=title, mentee=mentee, starts=starts)
    elif r is None or r.status_code >= 500:
        ledger.maybe("booking", "", title=title, mentee=mentee, starts=starts)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


async def meetings_of(world: World, clients: Clients, user: str) -> list[dict[str, Any]]:
    r, _ = await clients["scheduling"].call(
        "check",
        "GET",
        "/v1/me/meetings",
        headers=world.auth(user),
        params={"days": 400},
        retry_for=30,
    )
    assert r is not None and r.status_code == 200, r and r.text
    return list(r.json())


@registry.check("scheduling: acknowledged bookings kept, announced, never doubled")
async def bookings_kept(world: World, ledger: Ledger, platform: Platform) -> list[Finding]:
    findings = []
    announced = {e["data"]["meeting_id"] for e in platform.events("meeting-booked")}
    held = await meetings_of(world, platform.clients, PAIR_MENTOR)
    by_id = {m["meeting_id"]: m for m in held}
    for title, n in Counter(m["title"] for m in held).items():
        if n > 1:
            findings.append(Finding("duplicate", f"{title!r} booked {n} times"))
    for start, n in Counter(_instant(m["starts_at"]) for m in held).items():
        if n > 1:
            findings.append(Finding("duplicate", f"the pair mentor has {n} meetings at {start}"))
    for ack in ledger.acked("booking"):
        meeting = by_id.get(ack.key)
        if meeting is None or _instant(meeting["starts_at"]) != ack.data["starts"]:
            findings.append(Finding("lost", f"booking {ack.key} ({ack.data['title']}) not held"))
        if ack.key not in announced:
            findings.append(Finding("lost", f"booking {ack.key} not on meeting-booked"))
    return findings


@registry.snapshot("scheduling: the pair mentor's meetings", service="scheduling")
async def mentor_meetings(world: World, clients: Clients) -> dict[str, Any]:
    held = await meetings_of(world, clients, PAIR_MENTOR)
    return {m["meeting_id"]: (m["title"], m["starts_at"], m["status"]) for m in held}
