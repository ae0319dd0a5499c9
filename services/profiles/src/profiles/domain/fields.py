"""Profile fields: the built-in ones, the custom ones a program defines, and visibility.

Pure rules, no I/O. Every string and list is bounded; a value that breaks a rule raises
``ValueError`` (pydantic turns it into a 422 naming the field) or
:class:`chassis.errors.InvalidInput` with ``field`` set.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from chassis.errors import InvalidInput
from chassis.text import check_text

Visibility = Literal["program", "matches", "private"]
VISIBILITIES: tuple[str, ...] = ("program", "matches", "private")
Role = Literal["mentee", "mentor", "admin"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

#: Every built-in profile field, in display order.
BUILTIN_FIELDS: tuple[str, ...] = (
    "display_name",
    "headline",
    "bio",
    "location",
    "timezone",
    "languages",
    "industry",
    "job_function",
    "years_experience",
    "skills",
    "expertise",
    "goals",
    "interests",
    "keywords",
    "capacity",
    "availability",
    "accepting_mentees",
)
#: Fields that only make sense for mentors / mentees (accepted for anyone, shown by role).
MENTOR_FIELDS = frozenset({"expertise", "capacity", "availability", "accepting_mentees"})
MENTEE_FIELDS = frozenset({"goals", "interests"})
#: Fields that are always visible to the program (a profile needs a name).
ALWAYS_PROGRAM_VISIBLE = frozenset({"display_name"})
#: Built-in fields that the published snapshot (contract ``ProfileSnapshot``) carries.
SNAPSHOT_FIELDS: tuple[str, ...] = (
    "headline",
    "bio",
    "timezone",
    "languages",
    "industry",
    "job_function",
    "years_experience",
    "skills",
    "expertise",
    "goals",
    "interests",
    "keywords",
    "capacity",
    "accepting_mentees",
)
LIST_FIELDS = frozenset({"languages", "skills", "expertise", "goals", "interests", "keywords"})

MAX_KEYWORDS = 30
MAX_TAGS = 50

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LanguageTag = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=2,
        max_length=35,
        pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$",
    ),
]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")]
CustomKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(name: str) -> str:
    """An IANA zone name known to the tz database shipped with the service (tzdata)."""
    if len(name) > 64 or name not in _known_zones():
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)")
    return name


def utc_offset_minutes(zone: str, at: datetime | None = None) -> int:
    """The zone's current offset from UTC in minutes (DST included)."""
    try:
        offset = (at or datetime.now(UTC)).astimezone(ZoneInfo(zone)).utcoffset()
    except ZoneInfoNotFoundError:
        return 0
    return int(offset.total_seconds() // 60) if offset else 0


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for v in values:
        if v.casefold() not in seen:
            seen.add(v.casefold())
            out.append(v)
    return out


class AvailabilitySlot(BaseModel):
    """A weekly slot in the member's own time zone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    day: Day
    start: HHMM
    end: HHMM

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: str, info: Any) -> str:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError("end must be after start")
        return end


class ProfileFields(BaseModel):
    """Values of the built-in profile fields (all optional: used for edits and imports)."""

    model_config = ConfigDict(extra="forbid")

    display_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None
    ) = None
    headline: Text200 | None = None
    bio: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] | None = None
    location: Text200 | None = None
    timezone: Annotated[str, StringConstraints(max_length=64)] | None = None
    languages: Annotated[list[LanguageTag], Field(max_length=20)] | None = None
    industry: Text200 | None = None
    job_function: Text200 | None = None
    years_experience: Annotated[int, Field(ge=0, le=80, strict=False)] | None = None
    skills: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = None
    expertise: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = None
    goals: (
        Annotated[
            list[
                Annotated[
                    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
                ]
            ],
            Field(max_length=20),
        ]
        | None
    ) = None
    interests: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = None
    keywords: (
        Annotated[
            list[Tag],
            Field(
                max_length=MAX_KEYWORDS,
                description=f"Free keywords (at most {MAX_KEYWORDS}).",
            ),
        ]
        | None
    ) = None
    capacity: Annotated[int, Field(ge=0, le=100)] | None = None
    availability: Annotated[list[AvailabilitySlot], Field(max_length=50)] | None = None
    accepting_mentees: bool | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @field_validator("skills", "expertise", "interests", "keywords", "goals", "languages")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _dedupe(value)

    def provided(self) -> dict[str, Any]:
        """The fields the caller sent (``None`` meaning: clear it), JSON-ready."""
        return {
            name: (
                [s.model_dump() for s in value]
                if name == "availability" and value is not None
                else value
            )
            for name, value in ((n, getattr(self, n)) for n in self.model_fields_set)
        }


# ---------------------------------------------------------------------------------------
# custom fields


class CustomFieldDef(BaseModel):
    """A field a program admin adds to the profiles of the program."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: CustomKey
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    type: Literal["text", "number", "single_choice", "multi_choice"]
    required: bool = False
    options: Annotated[list[Tag], Field(max_length=100)] = []
    max_length: Annotated[int, Field(ge=1, le=1000)] = 1000
    min_value: float | None = None
    max_value: float | None = None
    help: Annotated[str, StringConstraints(max_length=500)] | None = None

    @field_validator("options")
    @classmethod
    def _unique_options(cls, options: list[str]) -> list[str]:
        if len({o.casefold() for o in options}) != len(options):
            raise ValueError("options must be unique")
        return options

    @model_validator(mode="after")
    def _consistent(self) -> CustomFieldDef:
        if self.type in ("single_choice", "multi_choice") and not self.options:
            raise ValueError(f"custom field {self.key!r}: a choice field needs options")
        if self.type not in ("single_choice", "multi_choice") and self.options:
            raise ValueError(f"custom field {self.key!r}: only choice fields have options")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.max_value < self.min_value
        ):
            raise ValueError(f"custom field {self.key!r}: max_value is below min_value")
        return self

    def coerce(self, value: Any) -> str | float | list[str]:
        """Check ``value`` against this definition; return it normalised or raise."""
        field = f"custom_fields.{self.key}"
        if self.type == "text":
            if not isinstance(value, str):
                raise InvalidInput(f"{field} must be text", field=field)
            check_text(value, field)  # a lone "\ud800" escape in the JSON
            value = value.strip()
            if len(value) > self.max_length:
                raise InvalidInput(
                    f"{field} is longer than {self.max_length} characters", field=field
                )
            return value
        if self.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidInput(f"{field} must be a number", field=field)
            try:
                number = float(value)
            except ValueError:
                raise InvalidInput(
                    f"{field} must be a number, not {value!r}", field=field
                ) from None
            if number != number or number in (float("inf"), float("-inf")):
                raise InvalidInput(f"{field} must be a finite number", field=field)
            if self.min_value is not None and number < self.min_value:
                raise InvalidInput(f"{field} must be at least {self.min_value:g}", field=field)
            if self.max_value is not None and number > self.max_value:
                raise InvalidInput(f"{field} must be at most {self.max_value:g}", field=field)
            return number
        by_fold = {o.casefold(): o for o in self.options}
        if self.type == "single_choice":
            if not isinstance(value, str) or value.strip().casefold() not in by_fold:
                raise InvalidInput(
                    f"{field} must be one of: {', '.join(self.options)}", field=field
                )
            return by_fold[value.strip().casefold()]
        if isinstance(value, str):  # "a;b" from CSV
            value = [v for v in (p.strip() for p in value.split(";")) if v]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"{field} must be a list of choices", field=field)
        unknown = [v for v in value if v.strip().casefold() not in by_fold]
        if unknown:
            raise InvalidInput(
                f"{field}: {', '.join(map(repr, unknown))} not among the options "
                f"({', '.join(self.options)})",
                field=field,
            )
        return _dedupe([by_fold[v.strip().casefold()] for v in value])


def check_visibility(
    visibility: dict[str, str], *, used_fields: set[str], custom_keys: set[str]
) -> dict[str, str]:
    """Validate a ``{field: visibility}`` map; custom fields are named ``custom.<key>``."""
    if len(visibility) > len(BUILTIN_FIELDS) + 50:
        raise InvalidInput("too many visibility entries", field="visibility")
    out: dict[str, str] = {}
    for name, value in visibility.items():
        field = f"visibility.{name}"
        if name.startswith("custom."):
            if name[len("custom.") :] not in custom_keys:
                raise InvalidInput(f"unknown custom field {name!r}", field=field)
        elif name not in used_fields:
            raise InvalidInput(f"{name!r} is not a profile field of this program", field=field)
        if value not in VISIBILITIES:
            raise InvalidInput(f"visibility must be one of {', '.join(VISIBILITIES)}", field=field)
        if name in ALWAYS_PROGRAM_VISIBLE and value != "program":
            raise InvalidInput(f"{name} is always visible to the program", field=field)
        out[name] = value
    return out


def normalise_term(value: str) -> str:
    """The form of a filterable value in the search index (case- and space-insensitive)."""
    return re.sub(r"\s+", " ", value.strip().casefold())
