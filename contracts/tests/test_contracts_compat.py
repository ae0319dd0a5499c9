"""The schema compatibility checker, on hand-written schemas and on pydantic models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from mentorship_contracts.compat import (
    check_backward_compatible,
    check_compatible,
    check_forward_compatible,
)


def obj(required: tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


STR: dict[str, Any] = {"type": "string", "maxLength": 100}
OLD = obj(("id", "kind"), id=STR, kind={"enum": ["a", "b"], "type": "string"}, note=STR)


def test_identical_and_annotation_only_changes_are_fine() -> None:
    assert check_compatible(OLD, OLD) == []
    described = obj(
        ("id", "kind"),
        id={**STR, "title": "Identifier", "description": "new words"},
        kind={"enum": ["a", "b"], "type": "string", "default": "a"},
        note=STR,
    )
    assert check_compatible(OLD, described) == []


def test_adding_an_optional_field_is_fine_both_ways() -> None:
    new = obj(("id", "kind"), id=STR, kind=OLD["properties"]["kind"], note=STR, extra=STR)
    assert check_backward_compatible(OLD, new) == []
    assert check_forward_compatible(OLD, new) == []


def test_removed_property() -> None:
    new = obj(("id", "kind"), id=STR, kind=OLD["properties"]["kind"])
    assert check_backward_compatible(OLD, new) == ["$.note: property removed"]


def test_renamed_property_is_removed_plus_added() -> None:
    new = obj(("id", "kind"), id=STR, kind=OLD["properties"]["kind"], remark=STR)
    assert check_backward_compatible(OLD, new) == ["$.note: property removed"]
    new_required = obj(("id", "kind", "remark"), id=STR, kind=OLD["properties"]["kind"], remark=STR)
    assert check_backward_compatible(OLD, new_required) == [
        "$.note: property removed",
        "$.remark: new required property",
    ]


def test_removed_required_property_breaks_old_consumers_too() -> None:
    new = obj(("kind",), kind=OLD["properties"]["kind"], note=STR)
    assert "$.id: property removed" in check_forward_compatible(OLD, new)


def test_changed_type() -> None:
    new = obj(("id", "kind"), id={"type": "integer"}, kind=OLD["properties"]["kind"], note=STR)
    assert check_backward_compatible(OLD, new) == ["$.id: type changed from string to integer"]
    assert check_forward_compatible(OLD, new) == ["$.id: type changed from string to integer"]


def test_integer_to_number_only_breaks_old_consumers() -> None:
    old = obj(("n",), n={"type": "integer"})
    new = obj(("n",), n={"type": "number"})
    assert check_backward_compatible(old, new) == []
    assert check_forward_compatible(old, new) == ["$.n: type changed from integer to number"]


def test_new_required_field() -> None:
    new = obj(("id", "kind", "note"), id=STR, kind=OLD["properties"]["kind"], note=STR)
    assert check_backward_compatible(OLD, new) == ["$.note: became required"]


def test_required_becoming_optional_breaks_old_consumers() -> None:
    new = obj(("id",), id=STR, kind=OLD["properties"]["kind"], note=STR)
    assert check_backward_compatible(OLD, new) == []
    assert check_forward_compatible(OLD, new) == [
        "$.kind: became optional, consumers on the old schema require it"
    ]


def test_narrowed_and_widened_enum() -> None:
    narrowed = obj(("id", "kind"), id=STR, kind={"enum": ["a"], "type": "string"}, note=STR)
    assert check_backward_compatible(OLD, narrowed) == ["$.kind: enum narrowed, removed ['b']"]
    assert check_forward_compatible(OLD, narrowed) == []

    widened = obj(
        ("id", "kind"), id=STR, kind={"enum": ["a", "b", "c"], "type": "string"}, note=STR
    )
    assert check_backward_compatible(OLD, widened) == []
    assert check_forward_compatible(OLD, widened) == [
        "$.kind: enum widened with ['c'], consumers on the old schema reject them"
    ]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ({"maxLength": 100}, {"maxLength": 50}, "maxLength tightened from 100 to 50"),
        ({}, {"maxLength": 50}, "maxLength tightened from none to 50"),
        ({"minLength": 1}, {"minLength": 2}, "minLength tightened from 1 to 2"),
        ({}, {"pattern": "^[a-z]+$"}, "pattern '^[a-z]+$' added"),
        ({"pattern": "^a"}, {"pattern": "^b"}, "pattern changed from '^a' to '^b'"),
    ],
)
def test_tighter_string_constraints(old: dict[str, Any], new: dict[str, Any], problem: str) -> None:
    problems = check_backward_compatible(
        obj(("s",), s={"type": "string", **old}), obj(("s",), s={"type": "string", **new})
    )
    assert problems == [f"$.s: {problem}"]


def test_tighter_numeric_and_array_constraints() -> None:
    old = obj(
        ("n", "xs"),
        n={"type": "integer", "minimum": 0, "maximum": 10},
        xs={"type": "array", "items": STR, "maxItems": 5},
    )
    new = obj(
        ("n", "xs"),
        n={"type": "integer", "minimum": 1, "maximum": 9},
        xs={"type": "array", "items": {"type": "string", "maxLength": 10}, "maxItems": 4},
    )
    assert check_backward_compatible(old, new) == [
        "$.n: maximum tightened from 10 to 9",
        "$.n: minimum tightened from 0 to 1",
        "$.xs: maxItems tightened from 5 to 4",
        "$.xs[]: maxLength tightened from 100 to 10",
    ]
    # Loosening is what old consumers cannot take.
    assert check_backward_compatible(new, old) == []
    assert check_forward_compatible(new, old) == [
        "$.n: maximum loosened from 9 to 10, consumers on the old schema reject such values",
        "$.n: minimum loosened from 1 to 0, consumers on the old schema reject such values",
        "$.xs: maxItems loosened from 4 to 5, consumers on the old schema reject such values",
        "$.xs[]: maxLength loosened from 10 to 100, consumers on the old schema reject such values",
    ]


def test_nullable_changes() -> None:
    old = obj((), s={"anyOf": [STR, {"type": "null"}]})
    new = obj((), s=STR)
    assert check_backward_compatible(old, new) == ["$.s: no longer accepts null"]
    assert check_forward_compatible(old, new) == []
    assert check_forward_compatible(new, old) == [
        "$.s: now also accepts null, which consumers on the old schema reject"
    ]


def test_follows_refs_into_defs() -> None:
    def with_inner(inner: dict[str, Any]) -> dict[str, Any]:
        return {
            "$defs": {"Inner": obj(("x",), x=inner)},
            **obj(
                ("inner", "many"),
                inner={"$ref": "#/$defs/Inner"},
                many={"type": "array", "items": {"$ref": "#/$defs/Inner"}},
            ),
        }

    old = with_inner({"type": "string", "maxLength": 10})
    new = with_inner({"type": "string", "maxLength": 5})
    assert check_backward_compatible(old, new) == [
        "$.inner.x: maxLength tightened from 10 to 5",
        "$.many[].x: maxLength tightened from 10 to 5",
    ]


def test_dict_values_and_keys() -> None:
    old = obj(("m",), m={"type": "object", "additionalProperties": {"type": "number"}})
    new = obj(
        ("m",),
        m={
            "type": "object",
            "additionalProperties": {"type": "string"},
            "propertyNames": {"type": "string", "maxLength": 10},
        },
    )
    assert check_backward_compatible(old, new) == [
        "$.m.*: type changed from number to string",
        "$.m.<key>: maxLength tightened from none to 10",
    ]


def test_recursive_schema_terminates() -> None:
    tree = {
        "$defs": {"Node": obj((), children={"type": "array", "items": {"$ref": "#/$defs/Node"}})},
        "$ref": "#/$defs/Node",
    }
    assert check_compatible(tree, tree) == []


def test_identity_of_the_payload_must_not_change() -> None:
    old = {**OLD, "x-event-type": "mentorship.a.b", "x-topic": "a", "x-event-version": 1}
    new = {**old, "x-event-type": "mentorship.a.c"}
    assert check_compatible(old, new) == [
        "$: x-event-type changed from 'mentorship.a.b' to 'mentorship.a.c'"
    ]


# -- the same, on pydantic models as a contract author would write them ----------------


class _Base(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Skill(_Base):
    name: Annotated[str, Field(max_length=100)]


class ThingV1(_Base):
    tenant_id: Annotated[str, Field(max_length=128)]
    status: Literal["open", "closed"]
    title: Annotated[str, Field(max_length=200)]
    skills: Annotated[list[Skill], Field(max_length=10)] = []
    note: str | None = None


def schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def test_pydantic_added_optional_field_is_compatible() -> None:
    class ThingV1Plus(ThingV1):
        rating: Annotated[int, Field(ge=0, le=5)] | None = None

    assert check_compatible(schema(ThingV1), schema(ThingV1Plus)) == []


def test_pydantic_breaking_changes_are_all_reported() -> None:
    class SkillNew(_Base):
        name: Annotated[str, Field(max_length=50)]

    class ThingBroken(_Base):
        tenant_id: int  # type changed
        status: Literal["open"]  # enum narrowed
        headline: Annotated[str, Field(max_length=200)]  # "title" renamed, now required
        skills: Annotated[list[SkillNew], Field(max_length=10)] = []
        note: str  # became required and non-null

    assert check_backward_compatible(schema(ThingV1), schema(ThingBroken)) == [
        "$.tenant_id: type changed from string to integer",
        "$.status: enum narrowed, removed ['closed']",
        "$.title: property removed",
        "$.skills[].name: maxLength tightened from 100 to 50",
        "$.note: became required",
        "$.note: no longer accepts null",
        "$.headline: new required property",
    ]
