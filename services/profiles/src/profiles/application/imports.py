"""Bulk member import: parsing CSV or JSON into rows, each checked on its own.

A file that cannot be read at all (wrong encoding, no header, unknown column, too many
rows) is refused as a whole and nothing is written. A readable file yields one
:class:`ImportRow` per line; a broken line becomes a row that already carries its errors,
so the report says what was rejected and why, line by line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from chassis.errors import InvalidInput
from profiles.domain.fields import BUILTIN_FIELDS, ProfileFields

MAX_ROWS = 10_000
LIST_SEPARATOR = ";"
CSV_LIST_FIELDS = {"languages", "skills", "expertise", "goals", "interests", "keywords"}
CSV_COLUMNS = {
    "user_id",
    "roles",
    "organization_id",
    *(f for f in BUILTIN_FIELDS if f != "availability"),
}


@dataclass
class ImportRow:
    number: int  # 1-based data row (CSV: the header is line 1, so row n is on line n+1)
    user_id: str | None = None
    organization_id: str | None = None
    roles: list[str] = field(default_factory=lambda: ["mentee"])
    fields: ProfileFields | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def reject(self, field_name: str, message: str) -> None:
        self.errors.append({"field": field_name, "message": message})


def _validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "row", "message": e["msg"]}
        for e in exc.errors()
    ]


def _row_from_mapping(number: int, data: dict[str, Any]) -> ImportRow:
    row = ImportRow(number)
    user_id = data.pop("user_id", None)
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 255:
        row.reject("user_id", "user_id is required (1-255 characters)")
    else:
        row.user_id = user_id.strip()
    org = data.pop("organization_id", None)
    if org not in (None, ""):
        if not isinstance(org, str) or len(org) > 128:
            row.reject("organization_id", "organization_id must be an id of 1-128 characters")
        else:
            row.organization_id = org.strip()
    roles = data.pop("roles", None)
    if roles not in (None, "", []):
        if isinstance(roles, str):
            roles = [r.strip() for r in roles.split(LIST_SEPARATOR) if r.strip()]
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            row.reject("roles", "roles must be a list of mentee, mentor, admin")
        else:
            row.roles = roles
    custom = data.pop("custom_fields", None) or {}
    if not isinstance(custom, dict):
        row.reject("custom_fields", "custom_fields must be an object")
        custom = {}
    row.custom = dict(custom)
    try:
        row.fields = ProfileFields.model_validate(data)
    except ValidationError as exc:
        row.errors.extend(_validation_errors(exc))
    return row


def parse_json_rows(payload: Any) -> list[ImportRow]:
    members = payload.get("members") if isinstance(payload, dict) else payload
    if not isinstance(members, list):
        raise InvalidInput('expected {"members": [ ... ]}', field="members")
    if len(members) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} members per import", field="members")
    rows = []
    for number, item in enumerate(members, start=1):
        if not isinstance(item, dict):
            row = ImportRow(number)
            row.reject("row", "each member must be an object")
            rows.append(row)
            continue
        rows.append(_row_from_mapping(number, dict(item)))
    return rows


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            f"the CSV is not UTF-8 text (byte 0x{body[exc.start]:02x} on line {line}); "
            "export it as UTF-8",
            field="body",
        ) from None


def _csv_value(column: str, raw: str) -> Any:
    value = raw.strip()
    if value == "":
        return None
    if column in CSV_LIST_FIELDS:
        return [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
    if column == "accepting_mentees":
        lowered = value.lower()
        if lowered in ("true", "yes", "1", "y"):
            return True
        if lowered in ("false", "no", "0", "n"):
            return False
        return value  # let validation name it
    return value


def _read_header(reader: Any) -> list[str]:
    """The CSV's header line, checked: known columns, user_id, no column twice."""
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("the CSV is empty (expected a header line)", field="body") from None
    except csv.Error as exc:
        raise InvalidInput(f"the CSV header cannot be read: {exc}", field="body") from None
    header = [h.strip() for h in header]
    unknown = [h for h in header if h not in CSV_COLUMNS and not h.startswith("custom.")]
    if unknown:
        raise InvalidInput(
            f"unknown CSV column {unknown[0]!r} (known: {', '.join(sorted(CSV_COLUMNS))}, "
            "custom.<key>)",
            field="body",
        )
    if "user_id" not in header:
        raise InvalidInput("the CSV needs a user_id column", field="body")
    if len(set(header)) != len(header):
        raise InvalidInput("the CSV header names a column twice", field="body")
    return header


def parse_csv_rows(body: bytes) -> list[ImportRow]:
    text = _decode(body)
    if "\x00" in text:
        raise InvalidInput("the CSV contains NUL characters: is it a binary file?", field="body")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment,unused-ignore]
    reader = csv.reader(io.StringIO(text), dialect)
    header = _read_header(reader)
    rows: list[ImportRow] = []
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            number += 1
            row = ImportRow(number)
            row.reject("row", f"line {reader.line_num} cannot be read: {exc}")
            rows.append(row)
            continue
        if not values or all(not v.strip() for v in values):
            continue
        number += 1
        if number > MAX_ROWS:
            raise InvalidInput(f"at most {MAX_ROWS} rows per import", field="body")
        if len(values) != len(header):
            row = ImportRow(number)
            row.reject(
                "row",
                f"line {reader.line_num} has {len(values)} columns, the header has {len(header)}",
            )
            rows.append(row)
            continue
        data: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        for column, raw in zip(header, values, strict=True):
            if column.startswith("custom."):
                if raw.strip():
                    custom[column[len("custom.") :]] = raw.strip()
                continue
            value = _csv_value(column, raw)
            if value is not None:
                data[column] = value
        data["custom_fields"] = custom
        rows.append(_row_from_mapping(number, data))
    return rows
