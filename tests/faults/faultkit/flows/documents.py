"""Documents in the fault suite: mentees upload small files in one request, each with its
SHA-256 (never retried: a second try of an upload whose answer never came is a new
document, as a real client's would be).

Checks (topic, API and content only): every acknowledged upload is there with the hash the
client computed, its bytes read back hash the same, and it is on ``document-uploaded``.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import string
from typing import Any

from faultkit import registry
from faultkit.checker import Finding, Platform
from faultkit.load import Clients, Ledger, World

registry.service(registry.Service("documents"))
_uploads = itertools.count()


def text(size: int) -> bytes:
    """Printable text (sniffed as text/plain, as declared)."""
    return "".join(random.choices(string.ascii_letters + " \n", k=size)).encode()


@registry.flow("upload", service="documents", rate=1.0)
async def upload(world: World, clients: Clients, ledger: Ledger) -> None:
    user = random.choice(world.mentees)
    data = text(random.randint(200, 4000))
    digest = hashlib.sha256(data).hexdigest()
    name = f"upload-{next(_uploads)}.txt"
    r, _ = await clients["documents"].call(
        "upload",
        "POST",
        "/v1/documents",
        headers={
            **world.auth(user),
            "Content-Type": "text/plain",
            "X-Content-SHA256": digest,
        },
        params={"program_id": world.program_id, "name": name},
        content=data,
    )
    if r is not None and r.status_code == 201:
        ledger.ack("upload", r.json()["document_id"], owner=user, sha256=digest, name=name)
    elif r is None or r.status_code >= 500:
        ledger.maybe("upload", "", owner=user, sha256=digest, name=name)


@registry.check("documents: acknowledged uploads present with their hash and announced")
async def uploads_kept(world: World, ledger: Ledger, platform: Platform) -> list[Finding]:
    findings = []
    announced = {e["data"]["document_id"] for e in platform.events("document-uploaded")}
    api = platform.clients["documents"]
    for ack in ledger.acked("upload"):
        auth = world.auth(ack.data["owner"])
        r, _ = await api.call(
            "check", "GET", "/v1/documents/{did}", headers=auth, retry_for=30, did=ack.key
        )
        if r is None or r.status_code != 200:
            findings.append(
                Finding("lost", f"document {ack.key}: GET answered {r and r.status_code}")
            )
            continue
        if r.json()["current"]["sha256"] != ack.data["sha256"]:
            findings.append(Finding("lost", f"document {ack.key} holds another hash"))
        c, _ = await api.call(
            "check", "GET", "/v1/documents/{did}/content", headers=auth, retry_for=30, did=ack.key
        )
        if (
            c is None
            or c.status_code != 200
            or hashlib.sha256(c.content).hexdigest() != ack.data["sha256"]
        ):
            findings.append(Finding("lost", f"document {ack.key}: its bytes do not hash as sent"))
        if ack.key not in announced:
            findings.append(Finding("lost", f"document {ack.key} not on document-uploaded"))
    return findings


async def documents_of(world: World, clients: Clients, user: str) -> list[dict[str, Any]]:
    return await clients["documents"].all_pages(
        "/v1/documents",
        headers=world.auth(user),
        params={"program_id": world.program_id, "owner": user},
    )


@registry.snapshot("documents: every mentee's documents", service="documents")
async def mentee_documents(world: World, clients: Clients) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for user in world.mentees:
        docs = await documents_of(world, clients, user)
        out[user] = sorted((d["document_id"], d["name"], d["size"]) for d in docs)
    return out
