"""HTTP byte ranges (RFC 9110 section 14), so video and audio seek in a browser (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from documents.domain.errors import RangeNotSatisfiable


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The one range to send, or None for the whole file.

    A header that is not a byte range, or asks for several ranges, is ignored (the whole
    file is sent, which RFC 9110 allows); a range that is well formed but outside the file
    is :class:`RangeNotSatisfiable` (416).
    """
    if not header:
        return None
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or first == "") or not (last.isdigit() or last == ""):
        return None
    if first == "":
        if last == "":
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(f"the file has {size} bytes", size=size)
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # invalid syntax: ignored
    if start >= size:
        raise RangeNotSatisfiable(
            f"range starts at byte {start} but the file has {size} bytes", size=size
        )
    end = int(last) if last else size - 1
    return ByteRange(start, min(end, size - 1))
