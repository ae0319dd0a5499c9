"""What every body and view is built from: bounded ids, codes and texts, the strict
request base (unknown fields refused), the lenient response base, answered timestamps, and
the explanation of a pair (recommendations and round runs both carry it)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"),
]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
Message = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
Note = Annotated[str, StringConstraints(max_length=2000, strip_whitespace=True)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _isoformat(value: datetime) -> str:
    return value.isoformat()


#: A time the read models store as a BSON date, answered as ISO 8601 (as it always was).
Timestamp = Annotated[datetime, PlainSerializer(_isoformat, return_type=str)]


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Contribution(Out):
    criterion: str
    weight: float
    value: float | None = None
    contribution: float
    reason: str | None = None


class Explanation(Out):
    summary: str
    reasons: list[str]
    shared: dict[str, list[str]] = Field(description="What the two have in common, by field.")
    contributions: list[Contribution]
    excluded_by: list[str] = Field(description="Codes of the rules that rule the pair out.")
    exclusions: list[str] = Field(description="Those rules, in words.")
