"""Opaque pagination cursors: a JSON position, URL-safe base64 without padding.

Every list of the platform pages with a cursor of this one form, so a client treats them
all alike and a tampered cursor is one clear 422 naming ``cursor``. Pure, so use cases and
read models can build them.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from chassis.errors import InvalidInput


def encode_cursor(position: Any) -> str:
    """The cursor of ``position`` (any JSON value: an offset, a (sort key, id) pair...)."""
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    """The position a cursor names; ``None`` for no cursor (the first page)."""
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "cursor is not valid (use next_cursor from a previous page)", field="cursor"
        ) from None
