"""What every aggregate of the service shares beyond the chassis ``Aggregate``."""

from __future__ import annotations

from typing import Any

from chassis.eventstore import Aggregate


def snapshot_state(aggregate: Aggregate) -> dict[str, Any]:
    """The aggregate's state as a JSON-ready document (everything but pending events)."""
    state = {k: v for k, v in vars(aggregate).items() if k not in ("pending", "stream_id")}
    spec = state.get("spec")
    if spec is not None and hasattr(spec, "model_dump"):
        state["spec"] = spec.model_dump(mode="json")
    return state
