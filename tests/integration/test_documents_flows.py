"""Resumable uploads, bad input leaving nothing behind, sharing rules, versions and
conflicts, media descriptions and previews, signed links, housekeeping."""

from __future__ import annotations

import asyncio
import io
import subprocess
from typing import Any

import pytest
from test_documents_support import (  # noqa: F401
    PART,
    DocumentsClient,
    documents_fixture,
    documents_settings_fixture,
    png,
    random_bytes,
    record_started_uploads,
    sha256,
)

from testkit.events import eventually

pytestmark = pytest.mark.infra


async def begin(documents: DocumentsClient, user: str, size: int, **body: Any) -> dict[str, Any]:
    r = await documents.http.post(
        "/v1/uploads",
        json={"program_id": documents.program_id, "name": "talk.bin", "size": size, **body},
        headers=documents.auth(user),
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def chunk(documents: DocumentsClient, user: str, upload_id: str, offset: int, data: bytes):  # type: ignore[no-untyped-def]
    return await documents.http.patch(
        f"/v1/uploads/{upload_id}",
        content=data,
        headers={**documents.auth(user), "Upload-Offset": str(offset)},
    )


async def test_a_resumable_upload_reports_its_offset_refuses_a_wrong_one_and_verifies(
    documents: DocumentsClient,
) -> None:
    await documents.member("ana")
    data = b"%PDF-1.4\n" + random_bytes(PART + 3 * 1024 * 1024)
    upload = await begin(
        documents, "ana", len(data), content_type="application/pdf", sha256=sha256(data)
    )
    uid = upload["upload_id"]
    first = await chunk(documents, "ana", uid, 0, data[:1_000_000])  # smaller than a part
    assert first.status_code == 204 and first.headers["upload-offset"] == "1000000"
    head = await documents.http.head(f"/v1/uploads/{uid}", headers=documents.auth("ana"))
    assert head.headers["upload-offset"] == "1000000"

    wrong = await chunk(documents, "ana", uid, 0, data[:10])
    assert wrong.status_code == 409 and wrong.json()["offset"] == 1_000_000

    assert (await chunk(documents, "ana", uid, 1_000_000, data[1_000_000:])).status_code == 204
    other = await documents.http.post(f"/v1/uploads/{uid}/complete", headers=documents.auth("bo"))
    assert other.status_code == 404  # someone else's upload does not exist for them
    done = await documents.http.post(f"/v1/uploads/{uid}/complete", headers=documents.auth("ana"))
    assert done.status_code == 201, done.text
    doc = done.json()
    assert doc["current"]["sha256"] == sha256(data)
    assert doc["current"]["content_type"] == "application/pdf"
    body = await documents.http.get(
        f"/v1/documents/{doc['document_id']}/content", headers=documents.auth("ana")
    )
    assert body.content == data
    assert documents.tenant_pending_parts() == []
    assert not [k for k in documents.tenant_objects() if k.endswith(".tail")]


async def test_bad_input_is_refused_clearly_and_leaves_nothing_behind(
    documents_settings: Any, tenant: str
) -> None:
    from documents.bootstrap import create_app
    from testkit.apps import serve_in_process

    app = create_app(documents_settings(max_upload_bytes=2 * PART))
    record_started_uploads(app)
    async with serve_in_process(app) as http:
        documents = DocumentsClient(http, app, tenant, "prog-bad")
        await documents.member("ana")
        cases = {
            "empty": await documents.upload("ana", b""),
            "exe": await documents.upload(
                "ana", b"MZ\x90\x00" + random_bytes(5000), content_type="application/octet-stream"
            ),
            "html": await documents.upload("ana", b"<!DOCTYPE html><script>x()</script>"),
            "lying": await documents.upload("ana", png(), content_type="application/pdf"),
            "slash": await documents.upload("ana", b"hello", name="../etc/passwd"),
            "control": await documents.upload("ana", b"hello", name="a\nb.txt"),
            "not member": await documents.upload("zed", b"hello"),
            "declared too large": await http.post(
                "/v1/uploads",
                json={"program_id": "prog-bad", "name": "big", "size": 2 * PART + 1},
                headers=documents.auth("ana"),
            ),
        }

        async def too_long():  # type: ignore[no-untyped-def]
            yield png()
            for _ in range(3):
                yield random_bytes(PART)

        cases["too large while streaming"] = await http.post(
            "/v1/documents",
            params={"program_id": "prog-bad", "name": "big.png"},
            content=too_long(),
            headers={**documents.auth("ana"), "Content-Type": "image/png"},
        )
        statuses = {name: r.status_code for name, r in cases.items()}
        assert len(documents.started) >= 3  # the refusals that came after bytes began
        assert statuses == {
            "empty": 422,
            "exe": 415,
            "html": 415,
            "lying": 415,
            "slash": 422,
            "control": 422,
            "not member": 404,
            "declared too large": 413,
            "too large while streaming": 413,
        }
        for r in cases.values():
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["detail"]
        assert "bytes are image/png" in cases["lying"].json()["detail"]
        await asyncio.sleep(0.5)  # an abort after a 413 mid-stream finishes after the reply
        assert documents.tenant_objects() == []
        assert documents.tenant_pending_parts() == []
        assert await app.state.documents.sessions.sessions.count_documents({}) == 0
        search = await http.get("/v1/documents", headers=documents.auth("ana"))
        assert search.json()["items"] == []


async def test_only_those_shared_with_see_a_document_and_others_get_404(
    documents: DocumentsClient,
) -> None:
    for user in ("ana", "bo", "cy", "dee"):
        await documents.member(user)
    await documents.space("match-1", "ana", "bo")
    doc = await documents.uploaded(
        "ana", b"plan for our mentorship", name="Plan.txt", tags=["Goals"]
    )
    did = doc["document_id"]
    url = f"/v1/documents/{did}"

    async def sees(user: str, tenant: str | None = None) -> list[int]:
        h = documents.auth(user, tenant)
        listed = (await documents.http.get("/v1/documents", headers=h)).json()["items"]
        return [
            (await documents.http.get(url, headers=h)).status_code,
            (await documents.http.get(url + "/content", headers=h)).status_code,
            len([d for d in listed if d["document_id"] == did]),
        ]

    assert await sees("ana") == [200, 200, 1]
    assert await sees("bo") == [404, 404, 0]
    moved = await documents.http.patch(
        url, json={"space_id": "match-1"}, headers={**documents.auth("ana"), "If-Match": '"2"'}
    )
    assert moved.status_code == 200, moved.text
    assert await sees("bo") == [200, 200, 1]
    assert await sees("cy") == [404, 404, 0]
    space = await documents.http.get("/v1/spaces/match-1/documents", headers=documents.auth("bo"))
    assert [d["document_id"] for d in space.json()["items"]] == [did]
    assert (
        await documents.http.get("/v1/spaces/match-1/documents", headers=documents.auth("cy"))
    ).status_code == 404
    shared = await documents.http.post(
        url + "/shares", json={"user_ids": ["cy"]}, headers=documents.auth("ana")
    )
    assert shared.status_code == 200
    assert await sees("cy") == [200, 200, 1]
    assert shared.json()["shared_with"]["user_ids"] == ["cy"]
    assert (await documents.http.get(url, headers=documents.auth("cy"))).json()[
        "shared_with"
    ] is None
    # seeing is not owning
    assert (
        await documents.http.patch(url, json={"name": "x.txt"}, headers=documents.auth("cy"))
    ).status_code == 403
    await documents.http.post(
        url + "/shares", json={"program": True}, headers=documents.auth("ana")
    )
    assert await sees("dee") == [200, 200, 1]
    # another tenant's token with the same user name and id: nothing
    assert await sees("ana", tenant=documents.tenant + "-other") == [404, 404, 0]
    # the mentorship ends: its space closes
    await documents.cases.directory_changes.space_ended(
        documents.tenant, "match-1", documents.program_id
    )
    await documents.http.post(
        url + "/shares/remove", json={"program": True}, headers=documents.auth("ana")
    )
    assert await sees("bo") == [404, 404, 0]
    found = await documents.http.get(
        "/v1/documents",
        params={"q": "PLAN", "tag": "goals", "type": "text/"},
        headers=documents.auth("cy"),
    )
    assert [d["document_id"] for d in found.json()["items"]] == [did]
    none = await documents.http.get(
        "/v1/documents", params={"owner": "bo"}, headers=documents.auth("cy")
    )
    assert none.json()["items"] == []


async def test_versions_conflicts_delete_restore_and_purge(
    documents_settings: Any, tenant: str
) -> None:
    from documents.bootstrap import create_app
    from testkit.apps import serve_in_process

    app = create_app(documents_settings(purge_after_seconds=3.0))
    async with serve_in_process(app) as http:
        documents = DocumentsClient(http, app, tenant, "prog-v")
        await documents.member("ana")
        await documents.member("bo")
        doc = await documents.uploaded("ana", b"version one", name="cv.txt")
        did, url = doc["document_id"], f"/v1/documents/{doc['document_id']}"
        v2 = await http.post(
            url + "/versions",
            content=b"version two",
            headers={**documents.auth("ana"), "Content-Type": "text/plain", "If-Match": '"2"'},
        )
        assert v2.status_code == 201, v2.text
        assert v2.json()["versions"] == 2
        stale = await http.patch(
            url, json={"name": "old.txt"}, headers={**documents.auth("ana"), "If-Match": '"2"'}
        )
        assert stale.status_code == 409 and stale.json()["current_version"] == 3
        first = await http.get(
            url + "/content", params={"version": 1}, headers=documents.auth("ana")
        )
        assert first.content == b"version one"
        restored = await http.post(url + "/versions/1/restore", headers=documents.auth("ana"))
        assert restored.json()["versions"] == 3 and restored.json()["current"]["restored_from"] == 1
        latest = await http.get(url + "/content", headers=documents.auth("ana"))
        assert latest.content == b"version one"
        history = (await http.get(url + "/versions", headers=documents.auth("ana"))).json()
        assert [v["sha256"] for v in history] == [
            sha256(b"version one"),
            sha256(b"version two"),
            sha256(b"version one"),
        ]

        assert (await http.delete(url, headers=documents.auth("bo"))).status_code == 404
        assert (await http.delete(url, headers=documents.auth("ana"))).status_code == 204
        assert (await http.get(url, headers=documents.auth("ana"))).json()["deleted_at"]
        trash = await http.get(
            "/v1/documents", params={"deleted": True}, headers=documents.auth("ana")
        )
        assert [d["document_id"] for d in trash.json()["items"]] == [did]
        assert (await http.post(url + "/restore", headers=documents.auth("ana"))).status_code == 200
        assert (await http.delete(url, headers=documents.auth("ana"))).status_code == 204

        async def purged() -> bool:
            return (await http.get(url, headers=documents.auth("ana"))).status_code == 404

        await eventually(purged, timeout=20)
        assert documents.tenant_objects() == []

        async def redacted() -> bool:  # the name is gone from the stored events too
            stored = await app.state.runtime.events.load(f"document-{did}")
            return "cv.txt" not in str([e.data for e in stored])

        await eventually(redacted, timeout=20)


async def test_media_is_probed_and_previews_are_made_in_the_background(
    documents: DocumentsClient, tmp_path: Any
) -> None:
    await documents.member("ana")
    image = await documents.uploaded("ana", png(800, 600), name="p.png", content_type="image/png")

    pdf = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (200, 300), (0, 90, 200)).save(pdf, "PDF")
    pdf_doc = await documents.uploaded(
        "ana", pdf.getvalue(), name="slides.pdf", content_type="application/pdf"
    )
    video = tmp_path / "clip.avi"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1",
         "-c:v", "mpeg4", str(video)],
        check=True,
    )  # fmt: skip
    clip = await documents.uploaded(
        "ana", video.read_bytes(), name="clip.avi", content_type="video/x-msvideo"
    )

    async def described(doc_id: str) -> dict[str, Any] | None:
        r = await documents.http.get(f"/v1/documents/{doc_id}", headers=documents.auth("ana"))
        return r.json()["current"]["media"]

    media = await eventually(lambda: described(image["document_id"]), timeout=30)
    assert media["width"] == 800 and media["height"] == 600
    thumb = await documents.http.get(
        f"/v1/documents/{image['document_id']}/preview", headers=documents.auth("ana")
    )
    assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"
    assert (await eventually(lambda: described(pdf_doc["document_id"]), timeout=30))["pages"] == 1
    probed = await eventually(lambda: described(clip["document_id"]), timeout=30)
    assert probed["video"] == {"codec": "mpeg4", "width": 160, "height": 120}
    assert probed["browser_playable"] is False and "Browsers cannot play" in probed["note"]
    assert 0.9 <= probed["duration_seconds"] <= 1.1


async def test_signed_links_serve_ranges_and_refuse_tampering_and_expiry(
    documents: DocumentsClient,
) -> None:
    await documents.member("ana")
    data = random_bytes(100_000)
    doc = await documents.uploaded("ana", data, name="raw.bin", content_type=None)
    made = await documents.http.post(
        f"/v1/documents/{doc['document_id']}/links",
        json={"expires_in": 2},
        headers=documents.auth("ana"),
    )
    url = made.json()["url"]
    part = await documents.http.get(url, headers={"Range": "bytes=10-19"})  # no bearer token
    assert part.status_code == 206 and part.content == data[10:20]
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    refused = await documents.http.get(tampered)
    assert refused.status_code == 403 and "not valid" in refused.json()["detail"]
    await asyncio.sleep(2.1)
    expired = await documents.http.get(url)
    assert expired.status_code == 410 and "expired" in expired.json()["detail"]


async def test_abandoned_uploads_are_cleaned_up_by_one_replica(
    documents_settings: Any, tenant: str
) -> None:
    from documents.bootstrap import create_app
    from testkit.apps import serve_in_process

    settings = documents_settings(upload_abandon_seconds=1.0, sweep_seconds=3600)
    app = create_app(settings)
    record_started_uploads(app)
    async with serve_in_process(app) as http:
        documents = DocumentsClient(http, app, tenant, "prog-a")
        await documents.member("ana")
        upload = await begin(documents, "ana", 3 * PART)
        data = random_bytes(PART + 1000)
        assert (await chunk(documents, "ana", upload["upload_id"], 0, data)).status_code == 204
        assert documents.tenant_pending_parts() and documents.tenant_objects()  # part + tail
        await asyncio.sleep(1.2)
        other = create_app(settings)  # a second replica on the same database
        results = await asyncio.gather(
            app.state.use_cases.housekeeping.sweep(), other.state.use_cases.housekeeping.sweep()
        )
        assert sorted(aborted for aborted, _ in results) == [0, 1]
        assert documents.tenant_pending_parts() == []
        assert documents.tenant_objects() == []
        gone = await http.get(f"/v1/uploads/{upload['upload_id']}", headers=documents.auth("ana"))
        assert gone.status_code == 404
