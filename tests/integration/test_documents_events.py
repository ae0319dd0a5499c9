"""Documents follows other services' events on real Kafka: match-made opens a space,
a member's erasure (profile-changed, erased) purges the documents they own from every
space, and what documents publishes carries no name or content."""

from __future__ import annotations

import json

import pytest
from test_documents_support import DocumentsClient, documents_fixture, documents_settings_fixture  # noqa: F401

from mentorship_contracts.events.matching import MatchMadeV1
from mentorship_contracts.events.profiles import ProfileChangedV1
from testkit.events import eventually, profile_changed, publish_payload, read_topic
from testkit.infra import Infra

pytestmark = pytest.mark.infra


async def test_match_made_opens_a_space_and_erasure_purges_the_owners_documents(
    documents: DocumentsClient, infra: Infra
) -> None:
    runtime = documents.app.state.runtime
    tenant, program = documents.tenant, documents.program_id
    for user in ("ana", "bo"):
        joined = profile_changed(tenant, f"m-{user}", 1).model_copy(
            update={"program_id": program, "user_id": user}
        )
        await publish_payload(runtime, joined, joined.member_id)
    made = MatchMadeV1(
        tenant_id=tenant,
        match_id="match-9",
        program_id=program,
        mode="one_to_one",
        mentor={"member_id": "m-ana", "user_id": "ana"},
        mentees=[{"member_id": "m-bo", "user_id": "bo"}],
        origin="request",
    )
    await publish_payload(runtime, made, made.match_id)

    async def uploaded_into_space() -> dict | None:  # type: ignore[type-arg]
        r = await documents.upload("ana", b"our shared plan", name="plan.txt", space_id="match-9")
        return r.json() if r.status_code == 201 else None

    doc = await eventually(uploaded_into_space, timeout=60)
    space = await documents.http.get("/v1/spaces/match-9/documents", headers=documents.auth("bo"))
    assert [d["document_id"] for d in space.json()["items"]] == [doc["document_id"]]

    theirs = await documents.uploaded("bo", b"notes for ana", name="for-ana.txt")
    shared = await documents.http.post(
        f"/v1/documents/{theirs['document_id']}/shares",
        json={"user_ids": ["ana"]},
        headers=documents.auth("bo"),
    )
    assert shared.json()["shared_with"]["user_ids"] == ["ana"]

    erased = ProfileChangedV1(
        tenant_id=tenant,
        program_id=program,
        member_id="m-ana",
        user_id="ana",
        organization_id=tenant,
        profile_version=2,
        roles=["mentor"],
        mentor_approved=True,
        erased=True,
        snapshot=None,
    )
    await publish_payload(runtime, erased, erased.member_id)

    async def gone() -> bool:
        r = await documents.http.get("/v1/spaces/match-9/documents", headers=documents.auth("bo"))
        return r.status_code == 200 and r.json()["items"] == []

    await eventually(gone, timeout=60)

    async def unshared() -> bool:  # bo's document stays, without ana among its shares
        kept = await documents.http.get(
            f"/v1/documents/{theirs['document_id']}", headers=documents.auth("bo")
        )
        return kept.status_code == 200 and kept.json()["shared_with"]["user_ids"] == []

    await eventually(unshared, timeout=30)
    assert [k for k in documents.tenant_objects() if doc["document_id"] in k] == []
    assert (
        await documents.http.get(
            f"/v1/documents/{doc['document_id']}", headers=documents.auth("ana")
        )
    ).status_code == 404

    records = await read_topic(
        infra.kafka_bootstrap, runtime.settings.topic("document-uploaded"), expect=999, timeout=3
    )
    mine = [
        json.loads(r.value)
        for r in records
        if dict(r.headers).get("ce_tenantid") == tenant.encode()
    ]
    assert mine and all("plan" not in json.dumps(m) for m in mine)
    assert {m["document_id"] for m in mine} == {doc["document_id"], theirs["document_id"]}
