"""The facts the profiles domain records, as typed events with stable stored names.

The stored type names are the ones the event store has held from the start; a class is
renamed freely, its ``TYPE`` never. When a shape changes, ``VERSION`` goes up and an
upcaster below turns the older stored data into the new shape on read (stored events are
never rewritten, except by erasure, which keeps their shape: see :mod:`erasure`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from chassis.domain import DomainEvent, upcaster
from profiles.domain.program_spec import ProgramSpec

CUSTOM_PREFIX = "custom."


class FieldVisibility(BaseModel):
    """Who sees which field, stored without dotted keys: built-in fields and custom keys
    apart (the API names a custom field ``custom.<key>``; see :meth:`from_api`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fields: dict[str, str] = {}
    custom: dict[str, str] = {}

    @classmethod
    def from_api(cls, flat: dict[str, str]) -> FieldVisibility:
        fields = {k: v for k, v in flat.items() if not k.startswith(CUSTOM_PREFIX)}
        custom = {
            k[len(CUSTOM_PREFIX) :]: v for k, v in flat.items() if k.startswith(CUSTOM_PREFIX)
        }
        return cls(fields=fields, custom=custom)

    def to_api(self) -> dict[str, str]:
        return {**self.fields, **{CUSTOM_PREFIX + k: v for k, v in self.custom.items()}}


# --- members -----------------------------------------------------------------------------


class MemberJoined(DomainEvent):
    TYPE = "MemberJoined"
    VERSION = 2

    tenant_id: str
    program_id: str
    user_id: str
    organization_id: str
    roles: list[str]
    mentor_approved: bool
    via: Literal["join", "invite", "import"]
    at: str | None


@upcaster(MemberJoined, 1)
def _joined_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 had no approval flag, channel or time in its earliest form."""
    return {"mentor_approved": False, "via": "join", "at": None, **data}


class ProfileEdited(DomainEvent):
    """Values set (``None``: cleared) and visibility changed. Erasure keeps the event and
    replaces its content with ``{"redacted": True}``, hence the empty defaults."""

    TYPE = "ProfileEdited"
    VERSION = 2

    fields: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    visibility: FieldVisibility = FieldVisibility()
    changed: list[str] = []
    redacted: bool = False


@upcaster(ProfileEdited, 1)
def _edited_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v1 kept visibility flat, custom fields as ``custom.<key>`` (dotted keys, which the
    event store refuses now)."""
    flat = data.get("visibility") or {}
    return {**data, "visibility": FieldVisibility.from_api(flat).model_dump()}


class RolesChanged(DomainEvent):
    TYPE = "RolesChanged"

    roles: list[str]
    mentor_approved: bool


class MentorApplicationSubmitted(DomainEvent):
    TYPE = "MentorApplicationSubmitted"
    VERSION = 2

    application_id: str
    answers: dict[str, str]  # erasure empties it
    at: str | None


@upcaster(MentorApplicationSubmitted, 1)
def _submitted_v1(data: dict[str, Any]) -> dict[str, Any]:
    return {"answers": {}, "at": None, **data}


class MentorApplicationDecided(DomainEvent):
    TYPE = "MentorApplicationDecided"
    VERSION = 2

    application_id: str
    decision: Literal["approved", "rejected"]
    reason_code: str | None
    note: str | None  # erasure clears it
    decided_by: str  # "" in the earliest v1 events
    at: str | None


@upcaster(MentorApplicationDecided, 1)
def _decided_v1(data: dict[str, Any]) -> dict[str, Any]:
    return {"reason_code": None, "note": None, "decided_by": "", "at": None, **data}


class MentorApprovalChanged(DomainEvent):
    """Approval set or withdrawn; ``roles`` only when approving added the mentor role."""

    TYPE = "MentorApprovalChanged"

    mentor_approved: bool
    roles: list[str] | None = None


class MemberErased(DomainEvent):
    TYPE = "MemberErased"

    at: str | None = None


# --- programs ----------------------------------------------------------------------------


class ProgramCreated(DomainEvent):
    TYPE = "ProgramCreated"
    VERSION = 2

    tenant_id: str
    organization_id: str
    created_by: str
    at: str | None
    spec: ProgramSpec


@upcaster(ProgramCreated, 1)
def _created_v1(data: dict[str, Any]) -> dict[str, Any]:
    return {"at": None, **data}


class ProgramReconfigured(DomainEvent):
    TYPE = "ProgramReconfigured"

    spec: ProgramSpec
    changed: list[str] = []


#: Member events after which the published profile snapshot changes.
PROFILE_CHANGING = (ProfileEdited, RolesChanged, MentorApprovalChanged, MemberErased)
