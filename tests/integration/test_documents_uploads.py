"""Uploads end to end on real MinIO and the MongoDB stand-in: one request and resumable,
content type from the bytes, SHA-256 recorded, Range downloads."""

from __future__ import annotations

import pytest
from test_documents_support import (  # noqa: F401
    PART,
    DocumentsClient,
    documents_fixture,
    documents_settings_fixture,
    png,
    random_bytes,
    sha256,
)

pytestmark = pytest.mark.infra


async def test_a_streamed_upload_is_stored_typed_hashed_and_read_back_by_range(
    documents: DocumentsClient,
) -> None:
    await documents.member("ana")
    data = png() + random_bytes(2 * PART + 12345)  # a PNG signature, several parts
    doc = await documents.uploaded("ana", data, name="photo.png", content_type="image/png")
    assert doc["current"]["content_type"] == "image/png"
    assert doc["current"]["size"] == len(data)
    assert doc["current"]["sha256"] == sha256(data)
    assert doc["owner_user_id"] == "ana"

    url = f"/v1/documents/{doc['document_id']}/content"
    whole = await documents.http.get(url, headers=documents.auth("ana"))
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes"

    start, end = PART - 10, PART + 9  # across a part boundary
    ranged = await documents.http.get(
        url, headers={**documents.auth("ana"), "Range": f"bytes={start}-{end}"}
    )
    assert ranged.status_code == 206
    assert ranged.content == data[start : end + 1]
    assert ranged.headers["content-range"] == f"bytes {start}-{end}/{len(data)}"

    suffix = await documents.http.get(url, headers={**documents.auth("ana"), "Range": "bytes=-100"})
    assert suffix.status_code == 206 and suffix.content == data[-100:]

    bad = await documents.http.get(
        url, headers={**documents.auth("ana"), "Range": f"bytes={len(data)}-"}
    )
    assert bad.status_code == 416
    assert bad.headers["content-range"] == f"bytes */{len(data)}"
    assert bad.headers["content-type"] == "application/problem+json"
    assert documents.started and documents.tenant_pending_parts() == []
