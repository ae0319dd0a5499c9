"""Who a member is: the member id of a person in a program, roles and their rules."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Literal

from chassis.errors import InvalidInput, NotFound

ROLES = ("mentee", "mentor", "admin")
SELF_ASSIGNABLE_ROLES = frozenset({"mentee", "mentor"})
REASON_CODES = ("insufficient_experience", "program_full", "incomplete_application", "other")
Viewer = Literal["self", "admin", "matched", "member"]


def member_id_for(tenant_id: str, program_id: str, user_id: str) -> str:
    """One member id per (tenant, program, person): joining twice collides on the stream."""
    digest = hashlib.sha256(f"{tenant_id}\x00{program_id}\x00{user_id}".encode()).hexdigest()
    return "m" + digest[:32]


def member_id_of_application(application_id: str) -> str:
    member_id, _, seq = application_id.partition(".a")
    if not member_id.startswith("m") or not seq.isdigit():
        raise NotFound(f"mentor application {application_id} not found")
    return member_id


def check_roles(roles: Iterable[str], *, allowed: Iterable[str] = ROLES) -> list[str]:
    out = list(dict.fromkeys(roles))
    if not out:
        raise InvalidInput("at least one role is needed (mentee, mentor)", field="roles")
    allowed = set(allowed)
    bad = [r for r in out if r not in allowed]
    if bad:
        raise InvalidInput(
            f"role {bad[0]!r} is not allowed here (allowed: {', '.join(sorted(allowed))})",
            field="roles",
        )
    return sorted(out, key=ROLES.index)


def is_member_stream(stream_id: str) -> bool:
    """Member streams are named by :func:`member_id_for`; every other stream is a program."""
    return len(stream_id) == 33 and stream_id.startswith("m")
