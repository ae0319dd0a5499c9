"""A program's health rules: when a mentorship counts as quiet or inactive, and when its
check-ins fall due. Set by the program's admins, event-sourced in insights' own store."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chassis.domain import Aggregate, DomainEvent, applies
from chassis.errors import InvalidInput

DAY = 86_400


class HealthRules(BaseModel):
    """The thresholds; the defaults apply to a program whose admins never set any."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    quiet_after_days: Annotated[int, Field(ge=1, le=365)] = 14
    inactive_after_days: Annotated[int, Field(ge=2, le=730)] = 30
    first_check_in_days: Annotated[int, Field(ge=1, le=365)] = 30
    check_in_every_days: Annotated[int, Field(ge=7, le=365)] = 60
    check_in_at_close: bool = True
    check_in_grace_days: Annotated[int, Field(ge=0, le=90)] = 7

    @model_validator(mode="after")
    def _inactive_after_quiet(self) -> HealthRules:
        if self.inactive_after_days <= self.quiet_after_days:
            raise ValueError("inactive_after_days must be above quiet_after_days")
        return self


class HealthRulesSet(DomainEvent):
    TYPE = "HealthRulesSet"
    tenant_id: str
    program_id: str
    rules: HealthRules
    set_by_user_id: str


class ProgramRules(Aggregate):
    """One stream per program: ``rules:<tenant>:<program>``."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.program_id = ""
        self.rules: dict[str, object] = HealthRules().model_dump()

    @staticmethod
    def stream_of(tenant_id: str, program_id: str) -> str:
        return f"rules:{tenant_id}:{program_id}"

    @property
    def current(self) -> HealthRules:
        return HealthRules.model_validate(self.rules)

    def set(self, tenant_id: str, program_id: str, rules: HealthRules, user_id: str) -> None:
        if self.tenant_id and self.tenant_id != tenant_id:
            raise InvalidInput("these rules belong to another tenant")
        if rules == self.current and self.version:
            return
        self.record(
            HealthRulesSet(
                tenant_id=tenant_id, program_id=program_id, rules=rules, set_by_user_id=user_id
            )
        )

    @applies(HealthRulesSet)
    def _set(self, event: HealthRulesSet) -> None:
        self.tenant_id, self.program_id = event.tenant_id, event.program_id
        self.rules = event.rules.model_dump()
