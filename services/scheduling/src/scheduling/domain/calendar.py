"""A member's published availability, as an event-sourced aggregate (its version is the
ETag an edit sends back, so two edits of one calendar cannot overwrite each other)."""

from __future__ import annotations

from typing import Any

from chassis.domain import Aggregate, DomainEvent, applies
from scheduling.domain.availability import Availability


class AvailabilityPublished(DomainEvent):
    TYPE = "AvailabilityPublished"
    tenant_id: str
    user_id: str
    availability: dict[str, Any]


class AvailabilityWithdrawn(DomainEvent):
    TYPE = "AvailabilityWithdrawn"


class Calendar(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.user_id = ""
        self.data: dict[str, Any] | None = None

    @property
    def availability(self) -> Availability | None:
        return Availability.from_data(self.data) if self.data is not None else None

    def publish(self, tenant_id: str, user_id: str, availability: Availability) -> None:
        self.record(
            AvailabilityPublished(
                tenant_id=tenant_id, user_id=user_id, availability=availability.to_data()
            )
        )

    def withdraw(self) -> None:
        if self.data is not None:
            self.record(AvailabilityWithdrawn())

    @applies(AvailabilityPublished)
    def _published(self, e: AvailabilityPublished) -> None:
        self.tenant_id, self.user_id, self.data = e.tenant_id, e.user_id, e.availability

    @applies(AvailabilityWithdrawn)
    def _withdrawn(self, e: AvailabilityWithdrawn) -> None:
        self.data = None
