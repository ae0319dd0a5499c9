"""The use cases against in-memory fakes: consent -> draft, approvals -> publication (and
near-duplicates), withdrawal purges, erasure anonymises, coverage (paused mentors left
out), access."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from knowledge_fakes import FakeDirectory, FakeEmbeddings, FakeEntryStore, FakeLibrary

from chassis.access import ProgramFacts
from chassis.auth import Principal
from chassis.errors import Forbidden, NotFound
from knowledge.adapters.directory import DirectoryMember
from knowledge.application.access import LibraryAccess
from knowledge.application.coverage import Coverage
from knowledge.application.drafts import PrepareDraft
from knowledge.application.review import ApproveDraft, Drafts
from knowledge.application.withdrawal import Withdrawals, pseudonym_of
from knowledge.domain.entry import Entry, entry_id_of, stream_of
from mentorship_contracts.events.knowledge import (
    ExchangeConsentedV1,
    ExchangeWithdrawnV1,
    KnowledgeEntryPublishedV1,
    KnowledgeEntryWithdrawnV1,
)
from mentorship_contracts.events.profiles import ProfileChangedV1

T, P = "t1", "p1"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def member(user: str, name: str, roles: tuple[str, ...], **kw: Any) -> DirectoryMember:
    return DirectoryMember(
        member_id=f"m-{user}",
        user_id=user,
        display_name=name,
        roles=roles,
        mentor_approved="mentor" in roles,
        expertise=tuple(kw.get("expertise", ())),
        vocabulary=tuple(kw.get("vocabulary", ())),
    )


DIRECTORY = [
    member("ana", "Ana Lima", ("mentee",), vocabulary=("Python",)),
    member(
        "bo",
        "Bo Fischer",
        ("mentor",),
        expertise=("Kafka", "Data engineering"),
        vocabulary=("Kafka",),
    ),
    member("eve", "Eve Adams", ("mentor",), expertise=("Kubernetes",)),
    member("adm", "Ada Admin", ("admin",)),
]


def exchange(
    exchange_id: str, question: str, answer: str, *, credit: bool = False
) -> ExchangeConsentedV1:
    return ExchangeConsentedV1.model_validate(
        {
            "tenant_id": T,
            "exchange_id": exchange_id,
            "program_id": P,
            "conversation_id": "c1",
            "nominated_by_user_id": "ana",
            "messages": [
                {
                    "message_id": "m1",
                    "author_user_id": "ana",
                    "part": "question",
                    "text": question,
                    "sent_at": NOW,
                },
                {
                    "message_id": "m2",
                    "author_user_id": "bo",
                    "part": "answer",
                    "text": answer,
                    "sent_at": NOW + timedelta(minutes=5),
                },
            ],
            "consents": [
                {"user_id": "ana", "consented_at": NOW, "credit": credit},
                {"user_id": "bo", "consented_at": NOW},
            ],
            "member_user_ids": ["ana", "bo"],
            "consented_at": NOW,
        }
    )


class World:
    def __init__(self) -> None:
        self.store = FakeEntryStore()
        self.directory = FakeDirectory(DIRECTORY, ProgramFacts.of(T, "org-1"))
        self.embeddings = FakeEmbeddings()
        self.library = FakeLibrary(self.embeddings)
        self.access = LibraryAccess(self.directory)
        self.drafts = Drafts(self.access, self.store)
        self.prepare = PrepareDraft(self.store, self.directory, self.embeddings, self.library)
        self.approve = ApproveDraft(
            self.drafts,
            self.store,
            self.library,
            self.embeddings,
            self.library,
            duplicate_similarity=0.9,
        )
        self.withdrawals = Withdrawals(
            self.store, self.store, self.library, self.library, self.drafts
        )  # type: ignore[arg-type]

    async def published(self, consented: ExchangeConsentedV1) -> Entry:
        entry = await self.prepare(consented)
        for user in ("ana", "bo"):
            entry = await self.approve(who(user), P, entry.entry_id, None)
        return entry


def who(user: str, *roles: str, tenant: str = T) -> Principal:
    return Principal(user, tenant, "org-1", frozenset(roles or ["member"]))


Q = "Hi Bo, how many Kafka partitions do I need? Mail ana@example.org"
A = "Size Kafka partitions from the peak write rate, then add headroom."


async def test_a_consent_becomes_a_redacted_structured_draft_once() -> None:
    w = World()
    entry = await w.prepare(exchange("ex-1", Q, A, credit=True))
    assert entry.status == "draft"
    assert (
        entry.content["question"]
        == "Hi the mentor, how many Kafka partitions do I need? Mail [email removed]"
    )
    assert entry.content["title"] == "How many Kafka partitions do I need?"
    assert entry.content["topics"] == ["kafka"] and entry.content["expertise_area"] == "kafka"
    assert [(a["user_id"], a["role"], a["credit"]) for a in entry.authors] == [
        ("ana", "mentee", True),
        ("bo", "mentor", False),
    ]
    assert "ana@example.org" not in w.store.texts(entry.stream_id)  # never stored
    again = await w.prepare(exchange("ex-1", Q, A))
    assert again.version == entry.version  # a redelivery changes nothing


async def test_the_last_approval_publishes_and_a_near_duplicate_goes_under_the_first() -> None:
    w = World()
    first = await w.published(exchange("ex-1", Q, A))
    assert first.status == "published"
    [published] = [m.payload for m in w.store.messages]
    assert (
        isinstance(published, KnowledgeEntryPublishedV1) and published.duplicate_of_entry_id is None
    )
    second = await w.published(exchange("ex-2", Q, A))
    assert second.duplicate_of == first.entry_id
    different = await w.published(
        exchange("ex-3", "How do I run a retro?", "Ask what went well and what to change.")
    )
    assert different.duplicate_of is None


async def test_drafts_are_for_their_authors_and_libraries_for_members() -> None:
    w = World()
    entry = await w.prepare(exchange("ex-1", Q, A))
    with pytest.raises(NotFound):
        await w.approve(who("eve"), P, entry.entry_id, None)  # a member, not an author
    with pytest.raises(NotFound):
        await w.approve(who("zed"), P, entry.entry_id, None)  # not a member
    with pytest.raises(NotFound):
        await w.approve(who("ana", tenant="t2"), P, entry.entry_id, None)
    reader = await w.access.reader(who("orgadmin", "org_admin"), P)
    assert reader.admin and reader.member is None


async def test_withdrawal_before_and_after_publication() -> None:
    w = World()
    entry = await w.published(exchange("ex-1", Q, A))
    await w.withdrawals.by_author(who("bo"), P, entry.entry_id)
    assert w.library.get(entry.entry_id) is None
    assert "partitions" not in w.store.texts(entry.stream_id)  # the words are gone
    withdrawn = w.store.messages[-1].payload
    assert (
        isinstance(withdrawn, KnowledgeEntryWithdrawnV1) and withdrawn.reason == "author_withdrew"
    )
    # messaging's withdrawal first, its consent later: no draft ever appears
    early = ExchangeWithdrawnV1(
        tenant_id=T,
        exchange_id="ex-9",
        program_id=P,
        conversation_id="c1",
        withdrawn_by_user_id="ana",
        withdrawn_at=NOW,
    )
    await w.withdrawals.exchange_withdrawn(early)
    late = await w.prepare(exchange("ex-9", Q, A))
    assert late.status == "withdrawn"


async def test_erasure_anonymises_published_entries_and_withdraws_unpublished_drafts() -> None:
    w = World()
    kept = await w.published(exchange("ex-1", Q, A, credit=True))
    draft = await w.prepare(
        exchange("ex-2", "How do I pick a consumer group id?", "One per application.")
    )
    erased = ProfileChangedV1(
        tenant_id=T,
        program_id=P,
        member_id="m-ana",
        user_id="ana",
        organization_id="org-1",
        profile_version=2,
        roles=[],
        mentor_approved=False,
        erased=True,
        snapshot=None,
    )
    assert await w.withdrawals.forget(erased) == 2
    entry = await w.store.load(kept.stream_id)
    assert entry.status == "published" and entry.credited() == []
    assert "ana" not in entry.author_ids and pseudonym_of(T, "ana") in entry.author_ids
    assert "'ana'" not in w.store.texts(kept.stream_id)
    assert (await w.store.load(draft.stream_id)).status == "withdrawn"
    assert w.library.get(kept.entry_id) is not None


async def test_coverage_names_thin_areas_and_who_could_fill_them() -> None:
    w = World()
    await w.published(exchange("ex-1", Q, A))
    coverage = Coverage(w.access, w.directory, w.library, covered_at=2)
    areas = {a["area"]: a for a in (await coverage(who("adm"), P))["areas"]}
    assert areas["kafka"]["status"] == "thin" and areas["kafka"]["entries"] == 1
    assert areas["kubernetes"]["status"] == "missing"
    assert [c["user_id"] for c in areas["kubernetes"]["could_fill"]] == ["eve"]
    with pytest.raises(Forbidden):
        await coverage(who("ana"), P)
    assert (
        entry_id_of(T, "ex-1") == (await w.store.load(stream_of(entry_id_of(T, "ex-1")))).entry_id
    )


async def test_coverage_leaves_out_mentors_paused_now() -> None:
    def k8s(user: str, name: str) -> DirectoryMember:
        return member(user, name, ("mentor",), expertise=("Kubernetes",))

    mentors = [
        k8s("eve", "Eve Adams"),
        replace(k8s("fay", "Fay Okafor"), paused=True),  # until resumed
        replace(k8s("gus", "Gus Berg"), paused=True, paused_until=NOW + timedelta(hours=1)),
        replace(k8s("hal", "Hal Ito"), paused=True, paused_until=NOW),  # ended just now
        replace(member("ida", "Ida Lund", ("mentor",), expertise=("Terraform",)), paused=True),
        member("adm", "Ada Admin", ("admin",)),
    ]
    directory = FakeDirectory(mentors, ProgramFacts.of(T, "org-1"))

    async def areas_at(now: datetime) -> dict[str, dict[str, Any]]:
        coverage = Coverage(
            LibraryAccess(directory),
            directory,
            FakeLibrary(FakeEmbeddings()),
            covered_at=2,
            clock=lambda: now,
        )
        return {a["area"]: a for a in (await coverage(who("adm"), P))["areas"]}

    areas = await areas_at(NOW)
    assert [c["user_id"] for c in areas["kubernetes"]["could_fill"]] == ["eve", "hal"]
    assert areas["kubernetes"]["mentors"] == 2
    # the only Terraform mentor is paused: the area stays, nobody can fill it
    assert areas["terraform"] == {
        "area": "terraform",
        "entries": 0,
        "status": "missing",
        "mentors": 0,
        "could_fill": [],
    }
    later = await areas_at(NOW + timedelta(hours=1))  # gus's pause has ended
    assert [c["user_id"] for c in later["kubernetes"]["could_fill"]] == ["eve", "gus", "hal"]
