"""The knowledge service against real Kafka and the MongoDB wire server: consent -> redacted
draft -> authors' review -> published entry -> search, votes, duplicates, withdrawal,
erasure, coverage (paused mentors left out), isolation. Messaging's consent events (and
matching's pauses) are published by the test."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from test_knowledge_support import (  # noqa: F401
    KnowledgeClient,
    exchange,
    knowledge_fixture,
    mentor_paused,
    profile,
    program_changed,
    withdrawn,
)

from knowledge.bootstrap import create_app
from knowledge.domain.entry import entry_id_of, stream_of
from knowledge.settings import KnowledgeSettings
from mentorship_contracts.envelope import from_kafka
from testkit.events import eventually, read_topic
from testkit.infra import Infra

pytestmark = pytest.mark.infra

KAFKA_Q = (
    "Hi Bo, how many partitions should a Kafka topic get? Our consumers fall behind at peak. "
    "Mail me at ana.lima@example.org or call +44 20 7946 0958."
)
KAFKA_A = (
    "Size partitions from the peak write rate divided by what one consumer handles, then add "
    "headroom: Kafka never lets two consumers of a group read one partition. Cyrus Patel "
    "tuned ours; ask him. Dashboard: https://grafana.example.com/d/x?token=9f8e7d6c5b4a3"
)


@pytest.fixture(scope="module")
async def program(knowledge: KnowledgeClient) -> KnowledgeClient:
    """The program and its directory, as profiles publishes them."""
    t, p = knowledge.tenant, knowledge.program_id
    await knowledge.publish(program_changed(t, p), p)
    people = [
        profile(t, p, "ana", "Ana Lima", skills=["Python"]),
        profile(
            t,
            p,
            "bo",
            "Bo Fischer",
            roles=("mentor",),
            expertise=["Kafka", "Data engineering"],
            skills=["Kafka", "Python", "Partitions"],
        ),
        profile(t, p, "cy", "Cyrus Patel", skills=["Python", "Observability"]),
        profile(t, p, "dee", "Dee Nakamura", roles=("mentor",), expertise=["Leadership", "Hiring"]),
        profile(t, p, "eve", "Eve Adams", roles=("mentor",), expertise=["Kubernetes"]),
        profile(t, p, "adm", "Ada Admin", roles=("admin",)),
    ]
    for person in people:
        await knowledge.publish(person, person.member_id)
    directory = knowledge.app.state.adapters.directory

    async def known() -> bool:
        found = [await directory.member(t, p, u) for u in ("ana", "bo", "cy", "dee", "eve", "adm")]
        return all(found) and await directory.program(t, p) is not None

    await eventually(known, timeout=60)
    return knowledge


async def test_a_consented_exchange_becomes_a_redacted_entry_found_by_meaning(
    program: KnowledgeClient,
) -> None:
    k = program
    consented = exchange(
        k.tenant,
        k.program_id,
        ("ana", KAFKA_Q),
        [("bo", KAFKA_A)],
        members=["ana", "bo"],
        credit=("ana",),
    )
    await k.publish(consented, consented.exchange_id)
    draft = await k.draft_of("ana", consented)
    # personal data masked, people named become roles, the knowledge stays
    assert (
        "ana.lima@example.org" not in draft["question"] and "[email removed]" in draft["question"]
    )
    assert "7946" not in draft["question"] and "[phone removed]" in draft["question"]
    assert "Bo" not in draft["question"] and "the mentor" in draft["question"]
    assert "Cyrus" not in draft["answer"] and "A colleague tuned ours" in draft["answer"]
    assert "token=" not in draft["answer"] and "[link removed]" in draft["answer"]
    assert draft["redactions"] == {"email": 1, "phone": 1, "link": 1, "name": 2}
    assert draft["title"] == "How many partitions should a Kafka topic get?"
    assert "kafka" in draft["topics"] and draft["expertise_area"] == "kafka"
    assert draft["status"] == "draft"
    # only its authors see a draft; nobody searches it
    assert (
        await k.http.get(k.url(f"/entries/{draft['id']}"), headers=k.auth("cy"))
    ).status_code == 404
    assert await k.search("cy", "kafka partitions") == []

    # an author edits (If-Match required), edits are redacted too, approvals start over
    blind = await k.http.patch(
        k.url(f"/entries/{draft['id']}"), json={"title": "x"}, headers=k.auth("bo")
    )
    assert blind.status_code == 428
    edit = await k.http.patch(
        k.url(f"/entries/{draft['id']}"),
        json={
            "title": "How many partitions does a Kafka topic need?",
            "answer": draft["answer"] + " Or text me: 415-555-0132",
        },
        headers={**k.auth("bo"), "If-Match": f'"{draft["version"]}"'},
    )
    assert edit.status_code == 200, edit.text
    edited = edit.json()
    assert edited["answer"].endswith("Or text me: [phone removed]")
    approved = await k.approve("ana", edited)
    assert approved["status"] == "draft" and approved["approved_by"] == ["ana"]
    published = await k.approve("bo", approved)
    assert published["status"] == "published"
    # credits only for who agreed; the source link only for the conversation's members
    assert {(a["role"], a["name"]) for a in published["authors"]} == {
        ("mentee", "Ana Lima"),
        ("mentor", None),
    }
    assert published["source"] == {"conversation_id": consented.conversation_id}
    as_cy = (await k.http.get(k.url(f"/entries/{draft['id']}"), headers=k.auth("cy"))).json()
    assert as_cy["source"] is None and as_cy["question"] == published["question"]

    # found by a paraphrase (no shared keyword with the title), with typos, by topic
    [hit, *_] = await k.search(
        "cy", "our stream readers lag when traffic spikes, how to split the log?"
    )
    assert hit["id"] == draft["id"]
    [typo] = await k.search("cy", "kafak partitoins", mode="keyword")
    assert typo["id"] == draft["id"]
    assert [
        e["id"]
        for e in (
            await k.http.get(k.url("/entries"), params={"topic": "kafka"}, headers=k.auth("cy"))
        ).json()
    ] == [draft["id"]]
    topics = (await k.http.get(k.url("/topics"), headers=k.auth("cy"))).json()
    assert {"topic": "kafka", "entries": 1} in topics

    # one helpful vote per member
    for counted in (True, False):
        vote = await k.http.put(k.url(f"/entries/{draft['id']}/helpful"), headers=k.auth("cy"))
        assert vote.json() == {"entry_id": draft["id"], "helpful": 1, "counted": counted}

    # isolation: a non-member finds nothing, another tenant neither
    for headers in (k.auth("zed"), k.auth("cy", tenant="other-tenant")):
        assert (
            await k.http.get(k.url("/search"), params={"q": "kafka"}, headers=headers)
        ).status_code == 404
        assert (
            await k.http.get(k.url(f"/entries/{draft['id']}"), headers=headers)
        ).status_code == 404
    assert (await k.http.get(k.url("/search"), params={"q": "kafka"})).status_code == 401


async def test_a_near_duplicate_is_listed_once_under_the_first(program: KnowledgeClient) -> None:
    k = program
    q = "How should I choose the number of partitions for a Kafka topic with slow consumers?"
    a = "Divide the peak write rate by one consumer's throughput and add headroom for growth."
    first = await k.publish_entry(
        exchange(k.tenant, k.program_id, ("cy", q), [("bo", a)], members=["bo", "cy"]), ["cy", "bo"]
    )
    second = await k.publish_entry(
        exchange(
            k.tenant,
            k.program_id,
            ("cy", q.replace("should I", "do I")),
            [("bo", a)],
            members=["bo", "cy"],
        ),
        ["cy", "bo"],
    )
    assert second["duplicate_of"] == first["id"]
    hits = [
        h
        for h in await k.search("ana", "choose number of partitions slow consumers")
        if h["id"] in (first["id"], second["id"])
    ]
    assert len(hits) == 1 and hits[0]["duplicates"] == 1


async def test_withdrawal_in_messaging_removes_the_entry_within_seconds(
    program: KnowledgeClient, infra: Infra
) -> None:
    k = program
    q = "What is a good way to run a skip-level meeting with a new team?"
    a = "Ask about blockers and career goals, not status; take notes and follow up within a week."
    consented = exchange(k.tenant, k.program_id, ("ana", q), [("dee", a)], members=["ana", "dee"])
    entry = await k.publish_entry(consented, ["ana", "dee"])
    assert [h["id"] for h in await k.search("cy", "skip-level meeting")] == [entry["id"]]
    await k.publish(withdrawn(consented, by="dee"), consented.exchange_id)

    async def gone() -> bool:
        return not any(h["id"] == entry["id"] for h in await k.search("cy", "skip-level meeting"))

    started = asyncio.get_running_loop().time()
    await eventually(gone, timeout=30)
    assert asyncio.get_running_loop().time() - started < 10
    assert (
        await k.http.get(k.url(f"/entries/{entry['id']}"), headers=k.auth("ana"))
    ).status_code == 404
    # the words are gone from the event store too; messaging hears about it
    events = await k.app.state.runtime.events.load(stream_of(entry["id"]))
    assert all(a not in str(e.data) for e in events)
    records = await read_topic(
        infra.kafka_bootstrap,
        k.app.state.runtime.settings.topic("knowledge-entry-withdrawn"),
        expect=999,
        timeout=3,
    )
    reasons = [from_kafka(r.value, r.headers).data for r in records]
    assert any(d["entry_id"] == entry["id"] and d["reason"] == "consent_withdrawn" for d in reasons)


async def test_a_withdrawal_before_the_consent_means_no_draft(program: KnowledgeClient) -> None:
    k = program
    consented = exchange(
        k.tenant,
        k.program_id,
        ("ana", "Is Rust worth learning?"),
        [("eve", "Yes, for systems work.")],
        members=["ana", "eve"],
    )
    stream = stream_of(entry_id_of(k.tenant, consented.exchange_id))
    entries = k.app.state.adapters.entries
    await k.publish(withdrawn(consented, by="eve"), consented.exchange_id)

    async def withdrawal_taken() -> bool:
        return (await entries.load(stream)).status == "withdrawn"

    await eventually(withdrawal_taken, timeout=30)
    await k.publish(consented, consented.exchange_id)
    # another exchange behind it on the same partition: once its draft is there, the
    # consent before it was consumed too
    sentinel = exchange(
        k.tenant,
        k.program_id,
        ("ana", "Is Go worth learning?"),
        [("eve", "Yes.")],
        members=["ana", "eve"],
    )
    await k.publish(sentinel, consented.exchange_id)
    await k.draft_of("eve", sentinel)
    drafts = (await k.http.get(k.url("/drafts"), headers=k.auth("eve"))).json()
    assert not [d for d in drafts if d["source"]["conversation_id"] == consented.conversation_id]
    assert (await entries.load(stream)).version == 1  # the late consent changed nothing


async def test_an_author_withdraws_a_published_entry_at_once(program: KnowledgeClient) -> None:
    k = program
    consented = exchange(
        k.tenant,
        k.program_id,
        ("cy", "How do I write a postmortem that people read?"),
        [("eve", "One page: impact, timeline, causes, and three owned actions with dates.")],
        members=["cy", "eve"],
    )
    entry = await k.publish_entry(consented, ["cy", "eve"])
    r = await k.http.post(k.url(f"/entries/{entry['id']}/withdrawal"), headers=k.auth("cy"))
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert not any(h["id"] == entry["id"] for h in await k.search("ana", "postmortem people read"))
    not_author = await k.http.post(
        k.url(f"/entries/{entry['id']}/withdrawal"), headers=k.auth("ana")
    )
    assert not_author.status_code == 404


async def test_erasure_anonymises_consented_entries_and_drops_unapproved_drafts(
    program: KnowledgeClient,
) -> None:
    k = program
    t, p = k.tenant, k.program_id
    kept = await k.publish_entry(
        exchange(
            t,
            p,
            ("ana", "How do I interview for a first engineering manager hire?"),
            [("dee", "Ask for a story of a hard conversation they led and what changed after.")],
            members=["ana", "dee"],
            credit=("ana", "dee"),
        ),
        ["ana", "dee"],
    )
    assert {a["name"] for a in kept["authors"]} == {"Ana Lima", "Dee Nakamura"}
    pending = exchange(
        t,
        p,
        ("cy", "How do I say no to a stakeholder?"),
        [("dee", "Offer a trade-off, not a refusal.")],
        members=["cy", "dee"],
    )
    await k.publish(pending, pending.exchange_id)
    draft = await k.draft_of("cy", pending)

    await k.publish(profile(t, p, "dee", "", roles=("mentor",), version=2, erased=True), "m-dee")

    docs = k.app.state.adapters.docs

    async def forgotten() -> bool:
        doc = await docs.get(kept["id"])
        return "dee" not in doc["people"]

    await eventually(forgotten, timeout=30)
    entry = (await k.http.get(k.url(f"/entries/{kept['id']}"), headers=k.auth("ana"))).json()
    assert {a["name"] for a in entry["authors"]} == {"Ana Lima", None}
    assert entry["question"] == kept["question"]  # the knowledge stays, anonymised
    assert (
        await k.http.get(k.url(f"/entries/{draft['id']}"), headers=k.auth("cy"))
    ).status_code == 404  # dee never approved its publication
    events = await k.app.state.runtime.events.load(stream_of(kept["id"]))
    assert all("'dee'" not in str(e.data) for e in events), [e.data for e in events]  # the id


async def test_admins_see_coverage_and_who_could_fill_the_gaps(program: KnowledgeClient) -> None:
    k = program
    r = await k.http.get(k.url("/coverage"), headers=k.auth("adm"))
    assert r.status_code == 200, r.text
    areas = {a["area"]: a for a in r.json()["areas"]}
    assert areas["kubernetes"]["status"] == "missing"
    assert [c["display_name"] for c in areas["kubernetes"]["could_fill"]] == ["Eve Adams"]
    assert areas["kafka"]["entries"] >= 1
    assert (await k.http.get(k.url("/coverage"), headers=k.auth("cy"))).status_code == 403


async def test_paused_mentors_leave_coverage_until_they_resume(program: KnowledgeClient) -> None:
    """Pauses are ordered by their event time: an older pause delivered after the resume
    changes nothing; another tenant's pause of the same user touches only that tenant."""
    k = program
    t, p = k.tenant, k.program_id
    other = f"{t}-b"
    directory = k.app.state.adapters.directory
    for person in (
        profile(t, p, "fay", "Fay Okafor", roles=("mentor",), expertise=["Terraform"]),
        profile(t, p, "gus", "Gus Berg", roles=("mentor",), expertise=["Terraform"]),
        profile(other, p, "fay", "Fay Okafor", roles=("mentor",), expertise=["Terraform"]),
    ):
        await k.publish(person, person.member_id)

    async def could_fill() -> list[str]:
        r = await k.http.get(k.url("/coverage"), headers=k.auth("adm"))
        assert r.status_code == 200, r.text
        areas = {a["area"]: a for a in r.json()["areas"]}
        return [c["user_id"] for c in areas.get("terraform", {"could_fill": []})["could_fill"]]

    async def shows(*users: str) -> bool:
        return await could_fill() == list(users)

    await eventually(lambda: shows("fay", "gus"), timeout=60)
    now = datetime.now(UTC)
    # paused until tomorrow: gone; gus's pause already ended: stays
    await k.publish(mentor_paused(t, p, "fay", until=now + timedelta(days=1)), "m-fay", time=now)
    await k.publish(mentor_paused(t, p, "gus", until=now - timedelta(minutes=1)), "m-gus")
    await eventually(lambda: shows("gus"), timeout=60)

    async def gus_pause_stored() -> bool:
        gus = await directory.member(t, p, "gus")
        return gus is not None and gus.paused

    await eventually(gus_pause_stored, timeout=60)
    assert await shows("gus")

    resumed_at = now + timedelta(seconds=2)
    await k.publish(mentor_paused(t, p, "fay", paused=False), "m-fay", time=resumed_at)
    await eventually(lambda: shows("fay", "gus"), timeout=60)

    # an older pause, then the other tenant's newer one behind it on the same partition
    await k.publish(mentor_paused(t, p, "fay"), "m-fay", time=now + timedelta(seconds=1))
    await k.publish(mentor_paused(other, p, "fay"), "m-fay", time=resumed_at + timedelta(seconds=1))

    async def other_tenant_paused() -> bool:
        fay = await directory.member(other, p, "fay")
        return fay is not None and fay.paused

    await eventually(other_tenant_paused, timeout=60)
    fay = await directory.member(t, p, "fay")
    assert fay is not None and not fay.paused and fay.paused_until is None
    assert await shows("fay", "gus")


async def test_bad_edits_are_refused_and_change_nothing(program: KnowledgeClient) -> None:
    k = program
    consented = exchange(
        k.tenant,
        k.program_id,
        ("ana", "Which Python test runner?"),
        [("bo", "pytest, with fixtures.")],
        members=["ana", "bo"],
    )
    await k.publish(consented, consented.exchange_id)
    draft = await k.draft_of("ana", consented)
    headers = {**k.auth("ana"), "If-Match": f'"{draft["version"]}"'}
    url = k.url(f"/entries/{draft['id']}")
    for body, field in (
        ({"topics": ["astrology"]}, "topics"),
        ({"title": "x" * 201}, "title"),
        ({"nope": 1}, "nope"),
    ):
        r = await k.http.patch(url, json=body, headers=headers)
        assert r.status_code == 422 and field in r.text, r.text
    # an unpaired surrogate (valid JSON, not Unicode) is refused, not a 500
    surrogate = await k.http.patch(
        url,
        content=b'{"answer": "pytest \\ud800"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422 and "answer" in surrogate.text, surrogate.text
    stale = await k.http.patch(
        url, json={"title": "New"}, headers={**k.auth("ana"), "If-Match": '"99"'}
    )
    assert stale.status_code == 412
    garbage = await k.http.patch(
        url, json={"title": "New"}, headers={**k.auth("ana"), "If-Match": "yesterday"}
    )
    assert garbage.status_code == 422
    bad_id = await k.http.get(k.url("/entries/..%2F$x"), headers=k.auth("ana"))
    assert bad_id.status_code in (404, 422)
    after = (await k.http.get(url, headers=k.auth("ana"))).json()
    assert after["version"] == draft["version"] and after["title"] == draft["title"]
    for params in (
        {"q": "x" * 301},
        {"q": "kafka", "mode": "magic"},
        {"q": "a", "limit": 51},
    ):
        r = await k.http.get(k.url("/search"), params=params, headers=k.auth("ana"))
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    # invalid UTF-8 in the query string (a surrogate's bytes) is not a 500 either
    raw = await k.http.get(k.url("/search") + "?q=kafka%ED%A0%80", headers=k.auth("ana"))
    assert raw.status_code < 500, raw.text


async def test_every_operation_needs_a_token() -> None:
    """Without a token every /v1 operation answers 401 problem+json, before anything runs."""
    app = create_app(KnowledgeSettings(mongo_db="unused"))  # no lifespan: nothing is reached
    checked = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://service"
    ) as http:
        for path, methods in app.openapi()["paths"].items():
            if not path.startswith("/v1/"):
                continue
            url = "/".join("p1" if part.startswith("{") else part for part in path.split("/"))
            for method in methods:
                response = await http.request(method.upper(), url, params={"q": "x"}, json={})
                assert response.status_code == 401, (method, path, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                checked.append(f"{method} {path}")
    assert len(checked) == 10, checked
