"""Compatibility of two JSON Schemas of the same payload (old = published snapshot).

Events live on in topics and in replays, and consumers upgrade at their own pace, so a
published payload schema must stay compatible in both directions:

* **backward** (:func:`check_backward_compatible`): a consumer on the *new* schema reads
  events written under the *old* one, and still finds every property it was promised.
  Broken by: a removed (or renamed) property, a changed type, a new required property,
  a narrowed enum, tighter constraints (smaller ``maxLength``, new ``pattern``, ...).
* **forward** (:func:`check_forward_compatible`): a consumer still on the *old* schema
  reads events written under the *new* one. Broken by: a widened enum, looser
  constraints, a property that became optional or nullable.

Adding an optional property is fine both ways (payloads ignore unknown fields).
:func:`check_compatible` is both, and is what the snapshot check enforces.

The comparison follows ``$ref`` (``#/$defs/...`` or any local JSON pointer), splits
``anyOf``/``oneOf``/type lists into branches, and ignores annotations (``title``,
``description``, ``default``, ``examples``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["check_backward_compatible", "check_compatible", "check_forward_compatible"]

Direction = Literal["backward", "forward"]
Schema = Mapping[str, Any]

# Bounds whose value may only grow (upper) or shrink (lower) without rejecting old data.
_UPPER_BOUNDS = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
_LOWER_BOUNDS = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
_EXACT = ("pattern", "format", "multipleOf")
_IDENTITY = ("x-event-type", "x-event-version", "x-topic")
_ANY = "any"


@dataclass(frozen=True)
class _Problem:
    directions: frozenset[Direction]
    message: str


BACKWARD: frozenset[Direction] = frozenset({"backward"})
FORWARD: frozenset[Direction] = frozenset({"forward"})
BOTH: frozenset[Direction] = BACKWARD | FORWARD


def check_backward_compatible(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Problems that stop a consumer on ``new_schema`` from handling ``old_schema`` events."""
    return _check(old_schema, new_schema, BACKWARD)


def check_forward_compatible(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Problems that stop a consumer on ``old_schema`` from reading ``new_schema`` events."""
    return _check(old_schema, new_schema, FORWARD)


def check_compatible(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Backward and forward problems together (empty: the change is safe)."""
    return _check(old_schema, new_schema, BOTH)


def _check(old: Schema, new: Schema, wanted: frozenset[Direction]) -> list[str]:
    comparer = _Comparer(old, new)
    problems: list[_Problem] = []
    for key in _IDENTITY:
        if old.get(key) != new.get(key):
            change = f"{old.get(key)!r} to {new.get(key)!r}"
            problems.append(_Problem(BOTH, f"$: {key} changed from {change}"))
    problems.extend(comparer.compare(old, new, "$"))
    seen: set[str] = set()
    result = []
    for problem in problems:
        if problem.directions & wanted and problem.message not in seen:
            seen.add(problem.message)
            result.append(problem.message)
    return result


def _type_name(kind: str) -> str:
    return "anything" if kind == _ANY else kind


def _accepts(reader_kind: str, writer_kind: str) -> bool:
    return reader_kind in (_ANY, writer_kind) or (
        reader_kind == "number" and writer_kind == "integer"
    )


class _Comparer:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self._active: set[tuple[str, str]] = set()  # $ref pairs being compared (recursion)

    # -- schema plumbing -------------------------------------------------------------

    @staticmethod
    def _resolve_pointer(root: Schema, ref: str) -> Schema:
        if not ref.startswith("#"):
            raise ValueError(f"only local $refs are supported, got {ref!r}")
        node: Any = root
        for part in ref.lstrip("#").strip("/").split("/"):
            if not part:
                continue
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _resolve(self, node: Schema, root: Schema) -> Schema:
        """Inline ``$ref`` and single-element ``allOf`` wrappers (keeping sibling keys)."""
        seen: set[str] = set()
        while True:
            if "$ref" in node:
                ref = node["$ref"]
                if ref in seen:
                    raise ValueError(f"$ref cycle at {ref}")
                seen.add(ref)
                target = self._resolve_pointer(root, ref)
                node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            elif isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
                node = {**node["allOf"][0], **{k: v for k, v in node.items() if k != "allOf"}}
            else:
                return node

    def _branches(self, node: Schema, root: Schema) -> list[tuple[str, Schema]]:
        """Split a schema into ``(kind, schema)`` alternatives of a single JSON type."""
        node = self._resolve(node, root)
        for union in ("anyOf", "oneOf"):
            if isinstance(node.get(union), list):
                rest = {k: v for k, v in node.items() if k != union}
                return [
                    branch
                    for option in node[union]
                    for branch in self._branches({**rest, **option}, root)
                ]
        if "const" in node:
            node = {**{k: v for k, v in node.items() if k != "const"}, "enum": [node["const"]]}
        kinds = node.get("type")
        if isinstance(kinds, list):
            return [(kind, {**node, "type": kind}) for kind in kinds]
        if isinstance(kinds, str):
            return [(kinds, node)]
        if "enum" in node:  # untyped enum: one branch per JSON type of its values
            by_kind: dict[str, list[Any]] = {}
            for value in node["enum"]:
                by_kind.setdefault(_json_kind(value), []).append(value)
            return [(kind, {**node, "type": kind, "enum": vs}) for kind, vs in by_kind.items()]
        if "properties" in node:
            return [("object", node)]
        return [(_ANY, node)]

    # -- comparison ------------------------------------------------------------------

    def compare(self, old: Schema, new: Schema, path: str) -> list[_Problem]:
        key = (_ref_key(old), _ref_key(new))
        if key != ("", ""):
            if key in self._active:  # a recursive model revisits the same pair: stop
                return []
            self._active.add(key)
        try:
            return self._compare_unions(
                self._branches(old, self.old_root), self._branches(new, self.new_root), path
            )
        finally:
            self._active.discard(key)

    def _compare_unions(
        self, old: list[tuple[str, Schema]], new: list[tuple[str, Schema]], path: str
    ) -> list[_Problem]:
        if len(old) == 1 and len(new) == 1:
            (old_kind, old_node), (new_kind, new_node) = old[0], new[0]
            if old_kind != new_kind and not (
                _accepts(new_kind, old_kind) and _accepts(old_kind, new_kind)
            ):
                directions: set[Direction] = set()
                if not _accepts(new_kind, old_kind):
                    directions.add("backward")
                if not _accepts(old_kind, new_kind):
                    directions.add("forward")
                return [
                    _Problem(
                        frozenset(directions),
                        f"{path}: type changed from {_type_name(old_kind)} to "
                        f"{_type_name(new_kind)}",
                    )
                ]
            return self._compare_nodes(old_node, new_node, path)

        problems: list[_Problem] = []
        # backward: each old alternative must still be accepted by some new alternative.
        for kind, node in old:
            candidates = [(k, n) for k, n in new if _accepts(k, kind)]
            if not candidates:
                problems.append(_Problem(BACKWARD, f"{path}: no longer accepts {_type_name(kind)}"))
                continue
            problems.extend(self._best(node, candidates, path, "backward", old_is_writer=True))
        # forward: each new alternative must be accepted by some old alternative.
        for kind, node in new:
            candidates = [(k, n) for k, n in old if _accepts(k, kind)]
            if not candidates:
                problems.append(
                    _Problem(
                        FORWARD,
                        f"{path}: now also accepts {_type_name(kind)}, which consumers on "
                        "the old schema reject",
                    )
                )
                continue
            problems.extend(self._best(node, candidates, path, "forward", old_is_writer=False))
        return problems

    def _best(
        self,
        node: Schema,
        candidates: list[tuple[str, Schema]],
        path: str,
        direction: Direction,
        *,
        old_is_writer: bool,
    ) -> list[_Problem]:
        """Problems against the closest matching alternative (none if one fits)."""
        best: list[_Problem] | None = None
        for _, candidate in candidates:
            old_node, new_node = (node, candidate) if old_is_writer else (candidate, node)
            found = self._compare_nodes(old_node, new_node, path)
            found = [p for p in found if direction in p.directions]
            if not found:
                return []
            if best is None or len(found) < len(best):
                best = found
        return [_Problem(frozenset({direction}), p.message) for p in best or []]

    def _compare_nodes(self, old: Schema, new: Schema, path: str) -> list[_Problem]:
        """Two alternatives of the same JSON type."""
        problems = list(_compare_enums(old, new, path))
        problems.extend(_compare_bounds(old, new, path))
        if "properties" in old or "properties" in new or old.get("type") == "object":
            problems.extend(self._compare_objects(old, new, path))
        if "items" in old or "items" in new:
            problems.extend(self._compare_sub(old.get("items"), new.get("items"), f"{path}[]"))
        return problems

    def _compare_sub(
        self, old: Any, new: Any, path: str, implied: Schema | None = None
    ) -> list[_Problem]:
        """A sub-schema that may be absent (absent or ``True``: ``implied``, or anything)."""
        old_any = old is None or old is True
        new_any = new is None or new is True
        if old_any and new_any:
            return []
        if old is False or new is False:
            if old is new:
                return []
            if old is False:  # nothing allowed before, something now
                message = f"{path}: now allowed, consumers on the old schema reject it"
                return [_Problem(FORWARD, message)]
            return [_Problem(BACKWARD, f"{path}: no longer allowed")]
        default = implied or {}
        return self.compare(default if old_any else old, default if new_any else new, path)

    def _compare_objects(self, old: Schema, new: Schema, path: str) -> list[_Problem]:
        problems: list[_Problem] = []
        old_props: Mapping[str, Any] = old.get("properties", {})
        new_props: Mapping[str, Any] = new.get("properties", {})
        old_required = set(old.get("required", ()))
        new_required = set(new.get("required", ()))
        for name in old_props:
            where = f"{path}.{name}"
            if name not in new_props:
                directions = BOTH if name in old_required else BACKWARD
                problems.append(_Problem(directions, f"{where}: property removed"))
                continue
            if name in new_required and name not in old_required:
                problems.append(_Problem(BACKWARD, f"{where}: became required"))
            if name in old_required and name not in new_required:
                problems.append(
                    _Problem(
                        FORWARD,
                        f"{where}: became optional, consumers on the old schema require it",
                    )
                )
            problems.extend(self.compare(old_props[name], new_props[name], where))
        for name in new_props:
            if name in old_props:
                continue
            if name in new_required:
                problems.append(_Problem(BACKWARD, f"{path}.{name}: new required property"))
            if old.get("additionalProperties") is False:
                problems.append(
                    _Problem(
                        FORWARD,
                        f"{path}.{name}: new property, the old schema forbids extra properties",
                    )
                )
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if old_extra not in (None, True) or new_extra not in (None, True):
            problems.extend(self._compare_sub(old_extra, new_extra, f"{path}.*"))
        if "propertyNames" in old or "propertyNames" in new:
            old_names, new_names = old.get("propertyNames"), new.get("propertyNames")
            problems.extend(
                self._compare_sub(old_names, new_names, f"{path}.<key>", {"type": "string"})
            )
        return problems


def _ref_key(node: Schema) -> str:
    ref = node.get("$ref")
    return ref if isinstance(ref, str) else ""


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _compare_enums(old: Schema, new: Schema, path: str) -> Iterator[_Problem]:
    old_enum: list[Any] | None = old.get("enum")
    new_enum: list[Any] | None = new.get("enum")
    if old_enum is None and new_enum is None:
        return
    if old_enum is None:
        assert new_enum is not None
        yield _Problem(BACKWARD, f"{path}: now restricted to {sorted(map(repr, new_enum))}")
        return
    if new_enum is None:
        yield _Problem(
            FORWARD,
            f"{path}: no longer restricted to {sorted(map(repr, old_enum))}, consumers on the "
            "old schema reject other values",
        )
        return
    removed = [v for v in old_enum if v not in new_enum]
    added = [v for v in new_enum if v not in old_enum]
    if removed:
        yield _Problem(BACKWARD, f"{path}: enum narrowed, removed {removed!r}")
    if added:
        yield _Problem(
            FORWARD, f"{path}: enum widened with {added!r}, consumers on the old schema reject them"
        )


def _compare_bounds(old: Schema, new: Schema, path: str) -> Iterator[_Problem]:
    for key in _UPPER_BOUNDS:
        yield from _bound(key, old.get(key), new.get(key), path, tighter=lambda o, n: n < o)
    for key in _LOWER_BOUNDS:
        yield from _bound(key, old.get(key), new.get(key), path, tighter=lambda o, n: n > o)
    for key in _EXACT:
        old_value, new_value = old.get(key), new.get(key)
        if old_value == new_value:
            continue
        if old_value is None:
            yield _Problem(BACKWARD, f"{path}: {key} {new_value!r} added")
        elif new_value is None:
            yield _Problem(
                FORWARD,
                f"{path}: {key} {old_value!r} dropped, consumers on the old schema enforce it",
            )
        else:
            yield _Problem(BOTH, f"{path}: {key} changed from {old_value!r} to {new_value!r}")


def _bound(key: str, old: Any, new: Any, path: str, *, tighter: Any) -> Iterator[_Problem]:
    if old == new:
        return
    if old is None or (new is not None and tighter(old, new)):
        was = "none" if old is None else repr(old)
        yield _Problem(BACKWARD, f"{path}: {key} tightened from {was} to {new!r}")
    else:
        now = "none" if new is None else repr(new)
        yield _Problem(
            FORWARD,
            f"{path}: {key} loosened from {old!r} to {now}, consumers on the old schema "
            "reject such values",
        )
