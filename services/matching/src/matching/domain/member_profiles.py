"""A member's stored profile document as the scorer sees it, and explanations as data.

The profile read model keeps each member as a document (the ``profile-changed`` snapshot,
roles, approval, embedding bytes, plus availability written from the mentor's book:
``load``, ``mentee_matches``, ``pause``). These pure functions turn such a document into a
:class:`MatchableProfile`, and an :class:`Explanation` into the JSON the API serves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np

from matching.domain.explanations import Explanation
from matching.domain.matchable import MatchableProfile, profile_text

DEFAULT_CAPACITY = 1


def member_key(tenant_id: str, program_id: str, member_id: str) -> str:
    """The ``_id`` of a member's documents (profile, summary, recommendations)."""
    return f"{tenant_id}|{program_id}|{member_id}"


def _matchable(doc: Mapping[str, Any], *, embedding: np.ndarray | None) -> MatchableProfile:
    snap = doc.get("snapshot") or {}
    years = snap.get("years_experience")
    return MatchableProfile(
        member_id=doc["member_id"],
        user_id=doc["user_id"],
        organization_id=doc["organization_id"],
        roles=frozenset(doc.get("roles", [])),
        mentor_approved=bool(doc.get("mentor_approved")),
        timezone=snap.get("timezone") or "",
        languages=tuple(snap.get("languages") or ()),
        industry=snap.get("industry") or "",
        job_function=snap.get("job_function") or "",
        years_experience=float(years) if years is not None else None,
        skills=tuple(snap.get("skills") or ()),
        expertise=tuple(snap.get("expertise") or ()),
        goals=tuple(snap.get("goals") or ()),
        interests=tuple(snap.get("interests") or ()),
        keywords=tuple(snap.get("keywords") or ()),
        headline=snap.get("headline") or "",
        bio=snap.get("bio") or "",
        custom_fields=snap.get("custom_fields") or {},
        embedding=embedding,
    )


def text_for_embedding(doc: Mapping[str, Any]) -> str:
    """What the semantic criterion embeds (the domain's recipe)."""
    return profile_text(_matchable(doc, embedding=None))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def embedding_to_bytes(vector: np.ndarray | None) -> bytes | None:
    return None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()


def embedding_from_bytes(raw: bytes | None) -> np.ndarray | None:
    return None if not raw else np.frombuffer(raw, dtype=np.float32).copy()


def capacity_of(doc: Mapping[str, Any], program: Mapping[str, Any] | None) -> int:
    """A mentor's capacity: their profile's, else the program default."""
    own = (doc.get("snapshot") or {}).get("capacity")
    if own is not None:
        return int(own)
    if program is not None:
        return int(program.get("default_capacity", DEFAULT_CAPACITY))
    return DEFAULT_CAPACITY


def is_paused(doc: Mapping[str, Any], now: datetime) -> bool:
    pause = doc.get("pause")
    if not pause:
        return False
    until = pause.get("until")
    return until is None or now < datetime.fromisoformat(until)


def matchable_profile(
    doc: Mapping[str, Any],
    program: Mapping[str, Any] | None,
    *,
    embedding: np.ndarray | None,
    now: datetime,
) -> MatchableProfile:
    """The scorer's view of a member: profile plus availability from the mentor's book."""
    base = _matchable(doc, embedding=embedding)
    snap = doc.get("snapshot") or {}
    accepting = bool(snap.get("accepting_mentees")) and not is_paused(doc, now)
    return replace(
        base,
        capacity=capacity_of(doc, program),
        accepting_mentees=accepting,
        active_mentee_count=int(doc.get("load", 0)),
    )


def explanation_payload(
    explanation: Explanation, shared: Mapping[str, list[str]]
) -> dict[str, Any]:
    return {
        "summary": explanation.summary(),
        "reasons": list(explanation.reasons),
        "shared": {k: list(v) for k, v in shared.items()},
        "contributions": [
            {
                "criterion": c.criterion,
                "weight": round(c.weight, 4),
                "value": None if c.value is None else round(float(c.value), 4),
                "contribution": round(float(c.contribution), 4),
                "reason": c.reason,
            }
            for c in explanation.contributions
            if c.weight > 0
        ],
        "excluded_by": list(explanation.excluded_by),
        "exclusions": list(explanation.exclusions),
    }
