"""Which content type a file gets: what its bytes are, never what the client says (pure).

The client's declared type is only a claim to check: a PNG declared as ``application/pdf``
is refused (the declared type would mislead whoever downloads it). Bytes with no
signature (text, CSV, JSON) cannot be told apart by sniffing, so a declared text type is
kept when the bytes are text.
"""

from __future__ import annotations

from collections.abc import Collection

from documents.domain.errors import UnsupportedType

OCTET_STREAM = "application/octet-stream"
TEXT = "text/plain"
ZIP = "application/zip"

#: Text types a client may name for bytes that sniff as plain text.
TEXT_TYPES = frozenset(
    {
        "text/plain",
        "text/csv",
        "text/markdown",
        "text/tab-separated-values",
        "text/calendar",
        "application/json",
        "application/xml",
        "text/xml",
    }
)
#: Formats that are ZIP containers: a ZIP signature is theirs too.
ZIP_CONTAINERS = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/epub+zip",
    }
)
#: Types refused by default: programs, and documents a browser would run as a page.
DEFAULT_FORBIDDEN = (
    "application/x-msdownload",
    "application/x-dosexec",
    "application/vnd.microsoft.portable-executable",
    "application/x-executable",
    "application/x-elf",
    "application/x-mach-binary",
    "application/x-sharedlib",
    "application/x-sh",
    "application/java-archive",
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
)
#: Aliases clients send for the types the sniffer names.
ALIASES = {
    "audio/mp3": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "image/jpg": "image/jpeg",
    "video/x-m4v": "video/mp4",
    "application/x-pdf": "application/pdf",
    "application/x-zip-compressed": ZIP,
}


def normalised(declared: str | None) -> str | None:
    """``Image/PNG; charset=x`` -> ``image/png``; None or empty for no claim."""
    if not declared:
        return None
    base = declared.split(";", 1)[0].strip().lower()
    return ALIASES.get(base, base) or None


def refuse_forbidden(declared: str | None, forbidden: Collection[str]) -> None:
    """Refuse a forbidden type as soon as the client names it, before any byte."""
    kind = normalised(declared)
    if kind is not None and kind in forbidden:
        raise UnsupportedType(f"files of type {kind} are not accepted", field="content_type")


def decide(declared: str | None, sniffed: str, forbidden: Collection[str]) -> str:
    """The type to store for bytes that sniff as ``sniffed``, or :class:`UnsupportedType`."""
    claim = normalised(declared)
    sniffed = ALIASES.get(sniffed, sniffed)
    refuse_forbidden(claim, forbidden)
    refuse_forbidden(sniffed, forbidden)
    if claim is None or claim == OCTET_STREAM or claim == sniffed:
        return sniffed
    if sniffed == TEXT and (claim in TEXT_TYPES or claim.startswith("text/")):
        return claim
    if sniffed == ZIP and claim in ZIP_CONTAINERS:
        return claim
    raise UnsupportedType(
        f"the file says it is {claim} but its bytes are {sniffed}", field="content_type"
    )
