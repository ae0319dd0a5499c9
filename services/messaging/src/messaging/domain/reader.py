"""What one member has read in one conversation, and how they want to be told by mail."""

from __future__ import annotations

from typing import Literal

from chassis.domain import Aggregate, DomainEvent, applies

Frequency = Literal["off", "hourly", "daily"]


def marker_stream(conversation_id: str, user_id: str) -> str:
    return f"read-{conversation_id}-{user_id}"


def preference_stream(tenant_id: str, user_id: str) -> str:
    return f"digest-{tenant_id}-{user_id}"


class MarkedRead(DomainEvent):
    TYPE = "MarkedRead"
    tenant_id: str
    conversation_id: str
    user_id: str
    up_to: int
    at: str


class ReadMarker(Aggregate):
    """Moves forward only: reading an older message again changes nothing."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.up_to = 0

    def mark(self, tenant_id: str, conversation_id: str, user_id: str, up_to: int, at: str) -> bool:
        if up_to <= self.up_to:
            return False
        self.record(
            MarkedRead(
                tenant_id=tenant_id,
                conversation_id=conversation_id,
                user_id=user_id,
                up_to=up_to,
                at=at,
            )
        )
        return True

    @applies(MarkedRead)
    def _marked(self, e: MarkedRead) -> None:
        self.tenant_id, self.up_to = e.tenant_id, e.up_to


class DigestPreferenceSet(DomainEvent):
    TYPE = "DigestPreferenceSet"
    tenant_id: str
    user_id: str
    frequency: Frequency
    email: str | None = None


class DigestPreference(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.frequency: Frequency = "off"
        self.email: str | None = None

    def set(self, tenant_id: str, user_id: str, frequency: Frequency, email: str | None) -> None:
        if self.exists and (frequency, email) == (self.frequency, self.email):
            return
        self.record(
            DigestPreferenceSet(
                tenant_id=tenant_id, user_id=user_id, frequency=frequency, email=email
            )
        )

    @property
    def exists(self) -> bool:
        return self.version > 0

    @applies(DigestPreferenceSet)
    def _set(self, e: DigestPreferenceSet) -> None:
        self.tenant_id, self.frequency, self.email = e.tenant_id, e.frequency, e.email
