"""Pagination cursors round-trip and refuse what no page returned."""

from __future__ import annotations

import pytest

from chassis.cursors import decode_cursor, encode_cursor
from chassis.errors import InvalidInput


@pytest.mark.parametrize("position", [0, 250, ["2026-12-01T10:00:00", "r-9"], {"o": 3}, "m-é"])
def test_round_trip(position: object) -> None:
    cursor = encode_cursor(position)
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert decode_cursor(cursor) == position


def test_no_cursor_is_the_first_page() -> None:
    assert decode_cursor(None) is None and decode_cursor("") is None


@pytest.mark.parametrize("bad", ["%%%", "bm90IGpzb24", "\ud800", "a"])
def test_a_cursor_no_page_returned_is_invalid_input_naming_cursor(bad: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(bad)
    assert refused.value.field == "cursor"
