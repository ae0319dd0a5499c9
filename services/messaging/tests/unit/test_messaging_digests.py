"""Digests with in-memory fakes: one mail per window, none while active, none twice (a
second replica or a restarted one finds the window claimed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from chassis.auth import Principal
from messaging.application.digests import SendDigests
from messaging.domain.reader import DigestPreference, preference_stream

pytestmark = pytest.mark.asyncio


class Preferences:
    def __init__(self) -> None:
        self.saved: dict[str, DigestPreference] = {}

    async def load(self, stream_id: str) -> DigestPreference:
        return self.saved.get(stream_id) or DigestPreference(stream_id)

    async def save(self, aggregate: DigestPreference, *, messages: Sequence[Any] = ()) -> None:
        aggregate.mark_saved()
        self.saved[aggregate.stream_id] = aggregate


class Queue:
    """The claims are shared (one database); ``pending`` as each replica saw it."""

    def __init__(self, claims: set[str], items: list[dict[str, Any]]) -> None:
        self.claims, self.items, self.outcomes = claims, items, {}

    async def due(self, now: float) -> list[dict[str, Any]]:
        return [i for i in self.items if i["due_at"] <= now]

    async def claim(self, item_id: str) -> bool:
        if item_id in self.claims:
            self.items = [i for i in self.items if i["_id"] != item_id]
            return False
        self.claims.add(item_id)
        return True

    async def finish(self, item_id: str, outcome: str) -> None:
        self.outcomes[item_id] = outcome
        self.items = [i for i in self.items if i["_id"] != item_id]


class Presence:
    def __init__(self, active: set[str]) -> None:
        self.active_users = active

    async def seen(self, tenant_id: str, user_id: str) -> None:
        self.active_users.add(user_id)

    async def active(self, tenant_id: str, user_id: str) -> bool:
        return user_id in self.active_users


class Index:
    async def of_member(self, tenant_id: str, user_id: str, **_: Any) -> list[dict[str, Any]]:
        return [{"conversation_id": "m-1", "kind": "pair", "title": ""}]


class Unread:
    async def count(self, principal: Principal, conversation_id: str) -> int:
        return 2


class Mailer:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []

    async def send(self, **mail: str) -> None:
        self.sent.append(mail)


def item(user: str) -> dict[str, Any]:
    return {"_id": f"t|{user}|0", "tenant_id": "t", "user_id": user, "due_at": 10.0}


async def preferences(*users: str) -> Preferences:
    prefs = Preferences()
    for user in users:
        p = await prefs.load(preference_stream("t", user))
        p.set("t", user, "hourly", f"{user}@example.org")
        await prefs.save(p)
    return prefs


async def test_one_mail_per_window_across_replicas_and_restarts() -> None:
    prefs, mailer, claims = await preferences("away"), Mailer(), set[str]()

    def replica() -> SendDigests:
        queue = Queue(claims, [item("away")])
        return SendDigests(queue, prefs, Presence(set()), Index(), Unread(), mailer, link="x")  # type: ignore[arg-type]

    first, second = replica(), replica()
    assert await first.run_once(now=5.0) == 0  # the window is not over yet
    assert await first.run_once(now=11.0) == 1
    assert await second.run_once(now=11.0) == 0  # the other replica finds it claimed
    assert await replica().run_once(now=12.0) == 0  # a restarted one too
    assert len(mailer.sent) == 1
    assert mailer.sent[0]["to"] == "away@example.org"
    assert "2 unread messages" in mailer.sent[0]["text"]


async def test_none_while_active_or_off() -> None:
    prefs, mailer = await preferences("active"), Mailer()
    queue = Queue(set(), [item("active"), item("never-set")])
    digests = SendDigests(queue, prefs, Presence({"active"}), Index(), Unread(), mailer, link="x")  # type: ignore[arg-type]
    assert await digests.run_once(now=11.0) == 0
    assert mailer.sent == []
    assert queue.outcomes == {"t|active|0": "active", "t|never-set|0": "off"}
