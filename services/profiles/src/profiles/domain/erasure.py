"""What erasure forgets in a member's stored history, event by event.

The events stay (type, version, id, time), so the stream still folds to the erased state
and every projection stays consistent; only their personal content is replaced. Each
replacement is a shape the event's class reads at every stored version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from profiles.domain.events import (
    MentorApplicationDecided,
    MentorApplicationSubmitted,
    ProfileEdited,
)


def redacted(event_type: str, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The erased form of a stored event's data (``None``: nothing personal in it)."""
    if event_type == ProfileEdited.TYPE:
        return {"redacted": True}
    if event_type == MentorApplicationSubmitted.TYPE:
        return {**data, "answers": {}}
    if event_type == MentorApplicationDecided.TYPE:
        return {**data, "note": None}
    return None
