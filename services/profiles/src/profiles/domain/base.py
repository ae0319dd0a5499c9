"""What every aggregate of the service shares: recording new events on top of history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chassis.eventstore import Aggregate


@dataclass(frozen=True)
class Recorded:
    """A domain event a command produced, not yet stored (``version`` it will have)."""

    type: str
    data: dict[str, Any]
    version: int


class EventSourced(Aggregate):
    """An aggregate whose commands *record* events: applied at once, appended later."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.pending: list[Recorded] = []

    def record(self, event_type: str, data: Mapping[str, Any]) -> Recorded:
        event = Recorded(event_type, dict(data), self.version + 1)
        self.apply(event_type, event.data)
        self.version = event.version
        self.pending.append(event)
        return event

    @property
    def loaded_version(self) -> int:
        """The version the aggregate had when loaded: the append's expected version."""
        return self.version - len(self.pending)


def snapshot_state(aggregate: EventSourced) -> dict[str, Any]:
    """The aggregate's state as a JSON-ready document (everything but pending events)."""
    state = {k: v for k, v in vars(aggregate).items() if k not in ("pending", "stream_id")}
    spec = state.get("spec")
    if spec is not None and hasattr(spec, "model_dump"):
        state["spec"] = spec.model_dump(mode="json")
    return state
