"""The ``Program`` aggregate: a mentoring program inside a tenant and its configuration."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Self

from chassis.domain import Aggregate, applies
from chassis.errors import Conflict, InvalidInput
from profiles.domain.events import ProgramCreated, ProgramReconfigured
from profiles.domain.fields import CustomFieldDef
from profiles.domain.program_spec import MentorQuestion, ProgramSpec

__all__ = ["MentorQuestion", "Program", "ProgramSpec"]


class Program(Aggregate):
    """A mentoring program inside a tenant; owned by the organization that created it."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.tenant_id = ""
        self.organization_id = ""
        self.created_by = ""
        self.created_at: str | None = None
        self.spec: ProgramSpec | None = None

    @property
    def exists(self) -> bool:
        return self.spec is not None

    @property
    def program_id(self) -> str:
        return self.stream_id

    @applies(ProgramCreated)
    def _created(self, event: ProgramCreated) -> None:
        self.tenant_id = event.tenant_id
        self.organization_id = event.organization_id
        self.created_by = event.created_by
        self.created_at = event.at
        self.spec = event.spec

    @applies(ProgramReconfigured)
    def _reconfigured(self, event: ProgramReconfigured) -> None:
        self.spec = event.spec

    # --- snapshots: the spec is a model, stored as JSON -----------------------------

    def snapshot(self) -> dict[str, Any]:
        state = super().snapshot()
        state["spec"] = None if self.spec is None else self.spec.model_dump(mode="json")
        return state

    @classmethod
    def restore(cls, stream_id: str, version: int, state: Mapping[str, Any]) -> Self:
        program = super().restore(stream_id, version, state)
        if state.get("spec") is not None:
            program.spec = ProgramSpec.model_validate(state["spec"])
        return program

    # --- commands -------------------------------------------------------------------

    def create(
        self, *, tenant_id: str, organization_id: str, created_by: str, spec: ProgramSpec
    ) -> None:
        if self.exists:
            raise Conflict(f"program {self.program_id} already exists")
        self.record(
            ProgramCreated(
                tenant_id=tenant_id,
                organization_id=organization_id,
                created_by=created_by,
                at=datetime.now(UTC).isoformat(),
                spec=spec,
            )
        )

    def reconfigure(self, changes: Mapping[str, Any], *, has_members: bool) -> list[str]:
        """Apply a partial update; return the names of what changed."""
        current = self.require_spec()
        unknown = set(changes) - set(ProgramSpec.model_fields)
        if unknown:
            name = sorted(unknown)[0]
            raise InvalidInput(f"unknown program setting {name!r}", field=name)
        merged = {**current.model_dump(mode="json"), **changes}
        new = ProgramSpec.model_validate(merged)
        if has_members and new.requires_mentor_approval != current.requires_mentor_approval:
            raise Conflict(
                "requires_mentor_approval cannot change once the program has members "
                "(it decides who is already visible as a mentor)",
                field="requires_mentor_approval",
            )
        old_types = {f.key: f.type for f in current.custom_fields}
        for f in new.custom_fields:
            if f.key in old_types and old_types[f.key] != f.type:
                raise Conflict(
                    f"custom field {f.key!r} is a {old_types[f.key]} field; its type cannot "
                    "change (add a field with a new key instead)",
                    field=f"custom_fields.{f.key}",
                )
        before, after = current.model_dump(mode="json"), new.model_dump(mode="json")
        changed = sorted(k for k in after if after[k] != before.get(k))
        if changed:
            self.record(ProgramReconfigured(spec=new, changed=changed))
        return changed

    # --- queries --------------------------------------------------------------------

    def require_spec(self) -> ProgramSpec:
        if self.spec is None:
            raise InvalidInput("program does not exist")
        return self.spec

    def check_open_for_joining(self, today: date | None = None) -> None:
        spec = self.require_spec()
        if spec.status != "active":
            raise Conflict("the program is archived and admits no new members")
        today = today or datetime.now(UTC).date()
        if spec.kind == "formal" and spec.ends_on is not None and today > spec.ends_on:
            raise Conflict(f"the program ended on {spec.ends_on.isoformat()}")

    def custom_field(self, key: str) -> CustomFieldDef | None:
        return next((f for f in self.require_spec().custom_fields if f.key == key), None)
