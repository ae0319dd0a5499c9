"""Exchanges with in-memory fakes: nothing is published before the last consent, the last
consent publishes once (also when two authors consent at once), edits reset, deletion
cancels or withdraws, the library's withdrawal publishes nothing back; suggestions."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chassis.auth import Principal
from chassis.domain import Aggregate
from chassis.errors import InvalidInput, NotFound
from chassis.eventstore import ConcurrencyError, Publish
from mentorship_contracts.events.knowledge import (
    ExchangeConsentedV1,
    ExchangeWithdrawnV1,
    KnowledgeEntryWithdrawnV1,
)
from messaging.application.exchanges import ExchangeUseCases
from messaging.application.suggestions import find_suggestions, is_question
from messaging.domain.conversation import Conversation
from messaging.domain.exchange import Exchange
from messaging.domain.message import Message

T = "t1"


class Repo:
    """Streams of events with the store's rule: a save at a stale version fails."""

    def __init__(self, cls: type[Aggregate], outbox: list[Publish]) -> None:
        self.cls, self.streams, self.outbox = cls, {}, outbox
        self.streams: dict[str, list[Any]] = {}
        self.pause: asyncio.Event | None = None

    async def load(self, stream_id: str) -> Any:
        return self.cls.from_events(stream_id, list(self.streams.get(stream_id, [])))

    async def save(self, aggregate: Any, *, messages: Sequence[Publish] = ()) -> None:
        if self.pause is not None:
            await self.pause.wait()
        events = self.streams.setdefault(aggregate.stream_id, [])
        if len(events) != aggregate.loaded_version:
            raise ConcurrencyError("stale")
        events.extend(aggregate.pending_events)
        self.outbox.extend(messages)
        aggregate.mark_saved()


class Views:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    async def put(self, view: dict[str, Any], *, tenant_id: str) -> None:
        self.rows[view["exchange_id"]] = {**view, "tenant_id": tenant_id}

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.rows.values()
            if r["tenant_id"] == tenant_id and r["conversation_id"] == conversation_id
        ]

    async def quoting(self, tenant_id: str, message_id: str) -> list[str]:
        return [
            x
            for x, r in self.rows.items()
            if r["tenant_id"] == tenant_id
            and message_id in [m["message_id"] for m in r["messages"]]
            and r["status"] in ("awaiting_consent", "consented")
        ]


def who(user: str, tenant: str = T) -> Principal:
    return Principal(user_id=user, tenant_id=tenant, organization_id="o1")


class World:
    def __init__(self) -> None:
        self.outbox: list[Publish] = []
        self.conversations = Repo(Conversation, self.outbox)
        self.messages = Repo(Message, self.outbox)
        self.exchanges = Repo(Exchange, self.outbox)
        self.views = Views()
        ids = iter(f"x-{n}" for n in range(1, 100))
        self.uc = ExchangeUseCases(
            self.conversations, self.messages, self.exchanges, self.views, lambda: next(ids)
        )

    async def conversation(self, members: list[str]) -> str:
        c = Conversation("m-1")
        c.open(tenant_id=T, program_id="p1", kind="pair", members=members, match_id="1")
        await self.conversations.save(c)
        return c.stream_id

    async def post(self, n: int, sender: str, body: str) -> str:
        m = Message(f"m-1.{n}")
        m.post(
            tenant_id=T,
            conversation_id="m-1",
            number=n,
            sender=sender,
            body=body,
            thread_root=None,
            mentions=[],
            attachments=[],
            at=datetime.now(UTC).isoformat(),
        )
        await self.messages.save(m)
        return m.stream_id

    async def edit(self, mid: str, sender: str, body: str) -> None:
        m = await self.messages.load(mid)
        m.edit(sender, body, [], datetime.now(UTC).isoformat())
        await self.messages.save(m)
        await self.uc.message_changed(T, mid, deleted=False)

    async def delete(self, mid: str, sender: str) -> None:
        m = await self.messages.load(mid)
        m.delete(sender, datetime.now(UTC).isoformat())
        await self.messages.save(m)
        await self.uc.message_changed(T, mid, deleted=True)

    def published(self, kind: type) -> list[Any]:
        return [p.payload for p in self.outbox if isinstance(p.payload, kind)]


async def nominated(w: World) -> tuple[str, str, str]:
    await w.conversation(["mentee", "mentor"])
    q = await w.post(1, "mentee", "How do I rotate the signing keys?")
    a = await w.post(2, "mentor", "Use the vault CLI: vault rotate; mail me at a@b.org")
    x = await w.uc.nominate(who("mentee"), "m-1", [q], [a])
    return x["exchange_id"], q, a


async def test_nothing_leaves_before_the_last_consent_then_exactly_once() -> None:
    w = World()
    x, _, _ = await nominated(w)
    first = await w.uc.consent(who("mentee"), "m-1", x, True)
    assert first["status"] == "awaiting_consent" and w.outbox == []
    done = await w.uc.consent(who("mentor"), "m-1", x, False)
    assert done["status"] == "consented"
    [event] = w.published(ExchangeConsentedV1)
    assert [m.text for m in event.messages] == [
        "How do I rotate the signing keys?",
        "Use the vault CLI: vault rotate; mail me at a@b.org",
    ]
    assert {(c.user_id, c.credit) for c in event.consents} == {("mentee", True), ("mentor", False)}
    assert event.match_id == "1" and set(event.member_user_ids) == {"mentee", "mentor"}
    await w.uc.consent(who("mentor"), "m-1", x, False)  # a repeat changes nothing
    assert len(w.outbox) == 1


async def test_two_authors_consenting_at_once_publish_once() -> None:
    w = World()
    x, _, _ = await nominated(w)
    w.exchanges.pause = asyncio.Event()
    both = asyncio.gather(
        w.uc.consent(who("mentee"), "m-1", x, False), w.uc.consent(who("mentor"), "m-1", x, True)
    )
    await asyncio.sleep(0)
    w.exchanges.pause.set()
    await both
    assert len(w.published(ExchangeConsentedV1)) == 1
    assert (await w.exchanges.load(x)).status == "consented"


async def test_only_authors_consent_and_only_members_see() -> None:
    w = World()
    x, q, a = await nominated(w)
    with pytest.raises(NotFound):
        await w.uc.get(who("stranger"), "m-1", x)
    with pytest.raises(NotFound):
        await w.uc.get(who("mentee", tenant="t2"), "m-1", x)
    with pytest.raises(NotFound):
        await w.uc.nominate(who("stranger"), "m-1", [q], [a])
    c = await w.conversations.load("m-1")
    c.join("observer")
    await w.conversations.save(c)
    assert (await w.uc.get(who("observer"), "m-1", x))["exchange_id"] == x
    with pytest.raises(NotFound):
        await w.uc.consent(who("observer"), "m-1", x, True)


async def test_bad_nominations_store_nothing() -> None:
    w = World()
    await w.conversation(["mentee", "mentor"])
    q = await w.post(1, "mentee", "Why?")
    a = await w.post(2, "mentor", "Because.")
    for questions, answers in [
        ([q], []),
        ([q], [q]),
        ([q], ["m-2.1"]),
        ([q], ["m-1.99"]),
        ([q], ["nonsense"]),
    ]:
        with pytest.raises(InvalidInput):
            await w.uc.nominate(who("mentee"), "m-1", questions, answers)
    await w.delete(a, "mentor")
    with pytest.raises(InvalidInput):
        await w.uc.nominate(who("mentee"), "m-1", [q], [a])
    assert w.exchanges.streams == {} and w.views.rows == {}


async def test_an_edit_resets_the_consents_and_a_deletion_cancels() -> None:
    w = World()
    x, q, a = await nominated(w)
    await w.uc.consent(who("mentee"), "m-1", x, False)
    await w.edit(a, "mentor", "Use the vault CLI (edited)")
    after = await w.uc.get(who("mentor"), "m-1", x)
    assert [author["consented"] for author in after["authors"]] == [False, False]
    await w.uc.consent(who("mentor"), "m-1", x, False)
    assert w.outbox == []
    await w.delete(q, "mentee")
    assert (await w.uc.get(who("mentor"), "m-1", x))["status"] == "cancelled"
    assert w.outbox == []


async def test_withdrawal_before_cancels_after_publishes() -> None:
    w = World()
    x, _, _ = await nominated(w)
    await w.uc.consent(who("mentee"), "m-1", x, False)
    cancelled = await w.uc.withdraw(who("mentee"), "m-1", x)
    assert cancelled["status"] == "cancelled" and w.outbox == []

    x2 = (await w.uc.nominate(who("mentor"), "m-1", ["m-1.1"], ["m-1.2"]))["exchange_id"]
    await w.uc.consent(who("mentee"), "m-1", x2, False)
    await w.uc.consent(who("mentor"), "m-1", x2, False)
    out = await w.uc.withdraw(who("mentor"), "m-1", x2)
    assert out["status"] == "withdrawn"
    [gone] = w.published(ExchangeWithdrawnV1)
    assert (gone.exchange_id, gone.reason, gone.withdrawn_by_user_id) == (
        x2,
        "author_withdrew",
        "mentor",
    )
    await w.uc.withdraw(who("mentee"), "m-1", x2)  # already out: nothing more
    assert len(w.published(ExchangeWithdrawnV1)) == 1


async def test_deleting_a_quoted_message_after_consent_withdraws() -> None:
    w = World()
    x, q, _ = await nominated(w)
    await w.uc.consent(who("mentee"), "m-1", x, False)
    await w.uc.consent(who("mentor"), "m-1", x, False)
    await w.delete(q, "mentee")
    [gone] = w.published(ExchangeWithdrawnV1)
    assert gone.reason == "message_deleted"


async def test_an_erased_author_cancels_what_waits_for_them_only() -> None:
    w = World()
    waiting, _, _ = await nominated(w)
    await w.uc.consent(who("mentor"), "m-1", waiting, True)
    done = (await w.uc.nominate(who("mentor"), "m-1", ["m-1.1"], ["m-1.2"]))["exchange_id"]
    await w.uc.consent(who("mentee"), "m-1", done, False)
    await w.uc.consent(who("mentor"), "m-1", done, False)
    other = (await w.uc.nominate(who("mentor"), "m-1", ["m-1.1"], ["m-1.2"]))["exchange_id"]
    assert await w.uc.author_erased("t2", ["m-1"], "mentee") == 0  # another tenant's erasure
    assert await w.uc.author_erased(T, ["m-1"], "mentee") == 2
    assert await w.uc.author_erased(T, ["m-1"], "mentee") == 0  # a replay: nothing more
    gone = await w.uc.get(who("mentor"), "m-1", waiting)
    assert gone["status"] == "cancelled" and gone["ended"]["reason"] == "author_erased"
    assert (await w.uc.get(who("mentor"), "m-1", other))["status"] == "cancelled"
    assert (await w.uc.get(who("mentor"), "m-1", done))["status"] == "consented"
    assert [e.exchange_id for e in w.published(ExchangeConsentedV1)] == [done]
    assert w.published(ExchangeWithdrawnV1) == []


async def test_the_library_withdrawing_publishes_nothing_back() -> None:
    w = World()
    x, _, _ = await nominated(w)
    await w.uc.consent(who("mentee"), "m-1", x, False)
    await w.uc.consent(who("mentor"), "m-1", x, False)
    event = KnowledgeEntryWithdrawnV1(
        tenant_id=T,
        entry_id="e1",
        program_id="p1",
        exchange_id=x,
        conversation_id="m-1",
        withdrawn_by_user_id="mentor",
        reason="author_withdrew",
        withdrawn_at=datetime.now(UTC),
    )
    other_tenant = event.model_copy(update={"tenant_id": "t2"})
    await w.uc.entry_withdrawn(other_tenant)
    assert (await w.exchanges.load(x)).status == "consented"
    await w.uc.entry_withdrawn(event)
    await w.uc.entry_withdrawn(event)
    assert (await w.exchanges.load(x)).status == "withdrawn"
    assert w.published(ExchangeWithdrawnV1) == []


def msg(n: int, sender: str, body: str, minutes: int = 0, **extra: Any) -> dict[str, Any]:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return {
        "id": f"c.{n}",
        "sender": sender,
        "body": body,
        "state": "visible",
        "sent_at": at.isoformat(),
        **extra,
    }


def test_suggestions_find_thanked_and_reacted_answers_only() -> None:
    assert is_question("how do I deploy") and is_question("Deploy? ")
    assert is_question("Hi Bo. How many partitions? Mail me at a@b.org.")
    assert not is_question("I deployed it.") and not is_question("see https://x.org/?a=1")
    found = find_suggestions(
        [
            msg(1, "a", "How do I reset my VPN token?"),
            msg(2, "b", "Open the portal, then Security > Tokens."),
            msg(3, "a", "Thanks, that worked!", 5),
            msg(4, "a", "What about printers?", 10),
            msg(5, "b", "Ask IT.", 11),
            msg(6, "a", "ok", 12),
            msg(7, "b", "Which editor do you use?", 20),
            msg(8, "a", "Vim, with these plugins", 21, reactions={"👍": ["b"]}),
            msg(9, "a", "Where is the wiki?", 30),
            msg(10, "b", "On the intranet.", 31),
            msg(11, "a", "thanks", 31 + 2 * 24 * 60),  # more than a day later
        ]
    )
    assert found == [
        {"question_message_ids": ["c.1"], "answer_message_ids": ["c.2"], "reason": "thanked"},
        {"question_message_ids": ["c.7"], "answer_message_ids": ["c.8"], "reason": "reacted"},
    ]


def test_suggestions_skip_deleted_messages() -> None:
    found = find_suggestions(
        [
            msg(1, "a", "How do I reset my VPN token?"),
            msg(2, "b", "", state="deleted"),
            msg(3, "a", "thanks", 1),
        ]
    )
    assert found == []
