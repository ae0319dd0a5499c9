"""What a file's first bytes say it is (``filetype`` signatures; text by decoding)."""

from __future__ import annotations

import filetype

from documents.domain.content_types import OCTET_STREAM, TEXT

_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml")


def sniff(head: bytes) -> str:
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if b"\x00" in head:
        return OCTET_STREAM
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not only a character cut at the end of the head
            return OCTET_STREAM
        text = head[: exc.start].decode("utf-8")
    start = text.lstrip("\ufeff \t\r\n").lower().encode()
    if start.startswith(_HTML_STARTS[:-2]):
        return "text/html"
    if start.startswith(b"<svg") or (start.startswith(b"<?xml") and b"<svg" in start):
        return "image/svg+xml"
    return TEXT
