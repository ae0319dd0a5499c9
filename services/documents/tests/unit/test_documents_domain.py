"""Pure rules of the documents domain: types from bytes, ranges, names, signed links."""

from __future__ import annotations

import pytest

from chassis.errors import Forbidden, InvalidInput
from documents.domain import content_types, links
from documents.domain.document import Document, DocumentCreated, VersionStored
from documents.domain.errors import Gone, RangeNotSatisfiable, UnsupportedType
from documents.domain.ranges import ByteRange, requested_range
from documents.domain.rules import checked_name, checked_tags

FORBIDDEN = content_types.DEFAULT_FORBIDDEN


def test_the_bytes_decide_the_type_and_a_lying_claim_is_refused() -> None:
    assert content_types.decide(None, "image/png", FORBIDDEN) == "image/png"
    assert content_types.decide("image/jpg", "image/jpeg", FORBIDDEN) == "image/jpeg"
    assert content_types.decide("text/csv; charset=utf-8", "text/plain", FORBIDDEN) == "text/csv"
    with pytest.raises(UnsupportedType, match="bytes are image/png"):
        content_types.decide("application/pdf", "image/png", FORBIDDEN)
    with pytest.raises(UnsupportedType):
        content_types.decide(None, "application/x-msdownload", FORBIDDEN)
    with pytest.raises(UnsupportedType):
        content_types.decide("text/html", "text/plain", FORBIDDEN)


def test_ranges() -> None:
    assert requested_range(None, 100) is None
    assert requested_range("bytes=10-19", 100) == ByteRange(10, 19)
    assert requested_range("bytes=90-", 100) == ByteRange(90, 99)
    assert requested_range("bytes=-5", 100) == ByteRange(95, 99)
    assert requested_range("bytes=0-1000", 100) == ByteRange(0, 99)
    assert requested_range("bytes=0-1,5-6", 100) is None  # several: the whole file
    assert requested_range("items=0-1", 100) is None
    for bad in ("bytes=100-", "bytes=200-300"):
        with pytest.raises(RangeNotSatisfiable):
            requested_range(bad, 100)


@pytest.mark.parametrize(
    "name", ["", "a/b", "a\\b", "..", "x\x00y", "tab\there", " lead", "\u202egnp.exe"]
)
def test_names_without_paths_or_control_characters(name: str) -> None:
    with pytest.raises(InvalidInput):
        checked_name(name)


def test_tags_are_lower_case_and_unique() -> None:
    assert checked_tags(["Goals", "goals ", "CV"]) == ["goals", "cv"]


def test_links_refuse_tampering_and_expiry() -> None:
    grant = links.LinkGrant("t", "d", 1, expires_at=1000)
    token = links.sign(grant, b"k")
    assert links.verify(token, b"k", now=999) == grant
    with pytest.raises(Forbidden):
        links.verify(token, b"other key", now=999)
    with pytest.raises(Forbidden):
        links.verify("x" + token, b"k", now=999)
    with pytest.raises(Gone):
        links.verify(token, b"k", now=1000)


def test_restoring_a_version_appends_it_and_keeps_the_history() -> None:
    doc = Document("document-d")
    content = VersionStored(
        number=1, object_key="k1", size=3, sha256="a" * 64, content_type="text/plain",
        stored_by="ana", stored_at="t",
    )  # fmt: skip
    doc.create(
        DocumentCreated(tenant_id="t", document_id="d", program_id="p", owner_user_id="ana",
                        name="a.txt"),
        content,
    )  # fmt: skip
    doc.add_version(content.model_copy(update={"number": 2, "object_key": "k2"}))
    doc.restore_version(1, by="ana", at="t2")
    assert [v["object_key"] for v in doc.versions] == ["k1", "k2", "k1"]
    assert doc.current["restored_from"] == 1
