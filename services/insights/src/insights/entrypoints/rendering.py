"""A report's answer bytes (JSON or CSV), kept with the report they were made from.

A memoised report is the same object until something it read changes, so its JSON or CSV
is made once, not for every reload (a 4,000-row report is mostly serialisation).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

KEPT = 32


class Rendered:
    def __init__(self, limit: int = KEPT) -> None:
        self.limit = limit
        # keyed by the report's id; the report is held too, so its id is not reused meanwhile
        self._held: OrderedDict[tuple[int, str], tuple[dict[str, Any], bytes]] = OrderedDict()

    def get(self, report: dict[str, Any], form: str, render: Callable[[], bytes]) -> bytes:
        key = (id(report), form)
        held = self._held.get(key)
        if held is not None and held[0] is report:
            self._held.move_to_end(key)
            return held[1]
        body = render()
        self._held[key] = (report, body)
        if len(self._held) > self.limit:
            self._held.popitem(last=False)
        return body
