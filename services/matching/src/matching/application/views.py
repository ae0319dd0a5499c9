"""The read-model documents of a mentor's book, the views callers get, and pagination.

Pure functions: the projector stores :func:`request_document` / :func:`match_document`,
the queries shape them per viewer (:func:`request_view`) and page through lists.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from chassis.cursors import decode_cursor, encode_cursor
from chassis.errors import InvalidInput
from matching.domain.mentor_book import OPEN_STATUSES, MentorBook

_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def valid_id(value: str) -> bool:
    return 0 < len(value) <= 128 and set(value) <= _ID_CHARS


def request_document(book: MentorBook, request_id: str) -> dict[str, Any]:
    r = book.requests[request_id]
    return {
        "request_id": request_id,
        "tenant_id": book.tenant_id,
        "program_id": book.program_id,
        "mentor_id": book.mentor_id,
        "mentor_user_id": r["mentor_user_id"],
        "mentee_id": r["mentee_id"],
        "mentee_user_id": r["mentee_user_id"],
        "group_id": r.get("group_id"),
        "status": r["status"],
        "message": r.get("message", ""),
        "conversation": r.get("conversation", []),
        "requested_at": r["requested_at"],
        "expires_at": r["expires_at"],
        "updated_at": r.get("updated_at"),
        "closed_at": r.get("closed_at"),
        "reason": r.get("reason"),
        "note": r.get("note"),
        "match_id": r.get("match_id"),
    }


def match_document(book: MentorBook, match_id: str) -> dict[str, Any]:
    m = book.matches[match_id]
    return {
        "match_id": match_id,
        "tenant_id": book.tenant_id,
        "program_id": book.program_id,
        "mentor_id": book.mentor_id,
        "mentor_user_id": m["mentor_user_id"],
        "mentee_id": m["mentee_id"],
        "mentee_user_id": m["mentee_user_id"],
        "mode": m["mode"],
        "group_id": m.get("group_id"),
        "origin": m["origin"],
        "request_id": m.get("request_id"),
        "round_id": m.get("round_id"),
        "score": m.get("score"),
        "status": m["status"],
        "started_at": m["started_at"],
        "ended_at": m.get("ended_at"),
        "end_reason": m.get("end_reason"),
        "ended_by": m.get("ended_by"),
    }


def group_document(book: MentorBook, group_id: str) -> dict[str, Any]:
    group = book.groups[group_id]
    return {
        "group_id": group_id,
        "mentor_id": book.mentor_id,
        "title": group["title"],
        "description": group.get("description"),
        "capacity": group["capacity"],
        "members": len(group.get("members", {})),
        "status": group["status"],
        "opened_at": group["opened_at"],
    }


def request_view(doc: Mapping[str, Any], side: str) -> dict[str, Any]:
    view = {k: v for k, v in doc.items() if k not in ("_id", "tenant_id")}
    if side == "admin":  # the note and the exchange are private to the two
        view.pop("message", None)
        view.pop("conversation", None)
        view.pop("note", None)
    if side != "mentee":
        view.pop("next_best", None)
    view["viewer"] = side
    return view


def status_matches(status: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if wanted == "open":
        return status in OPEN_STATUSES
    return status == wanted


def paginate(
    rows: list[dict[str, Any]], sort_field: str, id_field: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    """Newest first by ``sort_field`` (ties by id); the cursor is the last item's position."""
    rows = sorted(rows, key=lambda r: (str(r.get(sort_field) or ""), r[id_field]), reverse=True)
    after = decode_cursor(cursor)
    if after is not None:
        if not (isinstance(after, list) and len(after) == 2 and isinstance(after[1], str)):
            raise InvalidInput("cursor is not one this API returned", field="cursor")
        position = (str(after[0] or ""), after[1])
        rows = [r for r in rows if (str(r.get(sort_field) or ""), r[id_field]) < position]
    page = rows[:limit]
    next_cursor = (
        encode_cursor([page[-1].get(sort_field), page[-1][id_field]]) if len(rows) > limit else None
    )
    return {"items": page, "next_cursor": next_cursor}
