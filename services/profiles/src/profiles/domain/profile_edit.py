"""Checking a profile edit or a mentor application against the program's configuration.

Pure functions that either return the normalised change or raise
:class:`chassis.errors.InvalidInput` naming the field, before anything is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chassis.errors import InvalidInput
from profiles.domain.events import FieldVisibility
from profiles.domain.fields import ProfileFields, check_visibility
from profiles.domain.program_spec import MentorQuestion

if TYPE_CHECKING:
    from profiles.domain.program import Program

MAX_CUSTOM_VALUES = 50


@dataclass(frozen=True)
class ProfileEdit:
    """A checked edit: built-in values and custom values (``None``: clear), visibility."""

    fields: dict[str, Any]
    custom: dict[str, Any]
    visibility: FieldVisibility


def check_profile_edit(
    program: Program,
    fields: ProfileFields,
    custom: Mapping[str, Any],
    visibility: Mapping[str, str],
    *,
    initial: bool,
) -> ProfileEdit:
    spec = program.require_spec()
    used = set(spec.profile_fields)
    provided = fields.provided()
    for name in provided:
        if name not in used:
            raise InvalidInput(f"{name!r} is not a profile field of this program", field=name)
    if "display_name" in provided and provided["display_name"] is None:
        raise InvalidInput("display_name cannot be cleared", field="display_name")
    custom_changes = _check_custom(program, custom)
    shown = check_visibility(
        dict(visibility), used_fields=used, custom_keys={f.key for f in spec.custom_fields}
    )
    if initial:
        missing = [
            f.key for f in spec.custom_fields if f.required and custom_changes.get(f.key) is None
        ]
        if missing:
            raise InvalidInput(
                f"custom field {missing[0]!r} is required", field=f"custom_fields.{missing[0]}"
            )
    return ProfileEdit(provided, custom_changes, FieldVisibility.from_api(shown))


def _check_custom(program: Program, custom: Mapping[str, Any]) -> dict[str, Any]:
    if len(custom) > MAX_CUSTOM_VALUES:
        raise InvalidInput("too many custom fields", field="custom_fields")
    spec = program.require_spec()
    changes: dict[str, Any] = {}
    for key, value in custom.items():
        definition = program.custom_field(key)
        if definition is None:
            raise InvalidInput(
                f"unknown custom field {key!r} (this program defines: "
                f"{', '.join(f.key for f in spec.custom_fields) or 'none'})",
                field=f"custom_fields.{key}",
            )
        if value is None or value == "" or value == []:
            if definition.required:
                raise InvalidInput(
                    f"custom field {key!r} is required", field=f"custom_fields.{key}"
                )
            changes[key] = None
        else:
            changes[key] = definition.coerce(value)
    return changes


def check_answers(
    questions: Sequence[MentorQuestion], answers: Mapping[str, str]
) -> dict[str, str]:
    """A mentor application's answers, checked against the program's questions."""
    by_key = {q.key: q for q in questions}
    for key in answers:
        if key not in by_key:
            raise InvalidInput(f"unknown question {key!r}", field=f"answers.{key}")
    clean: dict[str, str] = {}
    for key, q in by_key.items():
        answer = (answers.get(key) or "").strip()
        if q.required and not answer:
            raise InvalidInput(f"question {key!r} needs an answer", field=f"answers.{key}")
        if len(answer) > q.max_length:
            raise InvalidInput(
                f"the answer to {key!r} is longer than {q.max_length} characters",
                field=f"answers.{key}",
            )
        if answer:
            clean[key] = answer
    return clean
