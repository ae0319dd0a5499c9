"""The smallest valid instance of a JSON Schema (OpenAPI request bodies, event payloads):
required properties only, each at its lower bound, so a request passes validation and
reaches the authorisation and tenant checks behind it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def sample(schema: dict[str, Any], defs: dict[str, Any], depth: int = 0) -> Any:
    if depth > 12:
        return None
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return sample(defs[name], defs, depth + 1)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            options = [o for o in schema[combinator] if o.get("type") != "null"]
            return sample(options[0], defs, depth + 1)
    if "allOf" in schema:
        return sample(schema["allOf"][0], defs, depth + 1)
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: sample(properties.get(name, {}), defs, depth + 1)
            for name in schema.get("required", [])
        }
    if kind == "array":
        return [sample(schema.get("items", {}), defs, depth + 1)] * schema.get("minItems", 0)
    if kind == "integer":
        return int(schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "date-time":
            return (datetime.now(UTC) + timedelta(days=7)).isoformat()
        if schema.get("format") == "date":
            return (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
        size = max(schema.get("minLength", 1), 1)
        return ("sample" * size)[: max(size, min(6, schema.get("maxLength", 6)))]
    return None
