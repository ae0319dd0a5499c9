"""Reports as CSV: flat rows, one header line, nested values as ``section.name`` columns.

Made from the same dict as the JSON answer, so the two never disagree (and hold nothing
the JSON does not: no message or document content, k-anonymous groups).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

_SCALARS = (str, int, float, bool)


def _flat(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if inner is None or isinstance(inner, _SCALARS):  # most cells: no recursion
                out[name] = _cell(inner)
            else:
                _flat(name, inner, out)
    elif isinstance(value, list) and not all(isinstance(v, Mapping) for v in value):
        out[prefix] = _cell(";".join(str(v) for v in value))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _flat(f"{prefix}.{index}", inner, out)
    else:
        out[prefix] = _cell(value)


def _cell(value: Any) -> Any:
    """Spreadsheets run a cell starting with = + - @ as a formula (CSV injection): such a
    text (a comment, people's words) gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table(rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows of one shape (a list report) as CSV."""
    flat = []
    for row in rows:
        cells: dict[str, Any] = {}
        _flat("", row, cells)
        flat.append(cells)
    columns = list(dict.fromkeys(c for cells in flat for c in cells))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cells.get(c, "") for c in columns] for cells in flat)
    return buffer.getvalue()


def metrics(report: Mapping[str, Any]) -> str:
    """A summary report as ``metric,value`` rows."""
    cells: dict[str, Any] = {}
    _flat("", report, cells)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["metric", "value"])
    writer.writerows(cells.items())
    return buffer.getvalue()
