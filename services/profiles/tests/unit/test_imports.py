"""Parsing of bulk-import files: whole-file refusals and per-row errors."""

from __future__ import annotations

import pytest

from chassis.errors import InvalidInput
from profiles.application.imports import parse_csv_rows, parse_json_rows


def test_good_csv_rows_become_profiles_with_lists_and_custom_fields() -> None:
    body = (
        b"user_id,display_name,roles,skills,years_experience,accepting_mentees,custom.track\n"
        b"u1,Ada,mentor;mentee,Python; Go,12,yes,Backend\n"
    )
    [row] = parse_csv_rows(body)
    assert row.errors == []
    assert row.user_id == "u1" and row.roles == ["mentor", "mentee"]
    assert row.fields is not None and row.fields.skills == ["Python", "Go"]
    assert row.fields.years_experience == 12 and row.fields.accepting_mentees is True
    assert row.custom == {"track": "Backend"}


def test_broken_rows_are_reported_one_by_one() -> None:
    body = (
        b"user_id,display_name,timezone,years_experience\n"
        b"u1,Ada,Europe/Paris,3\n"
        b"u2,Bob,Mars/Base,3\n"
        b"u3,Cy,UTC,lots\n"
        b"u4,Dee\n"
        b",NoId,UTC,1\n"
    )
    rows = parse_csv_rows(body)
    assert [r.number for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].errors == []
    assert (
        rows[1].errors[0]["field"] == "timezone"
        and "unknown time zone" in rows[1].errors[0]["message"]
    )
    assert rows[2].errors[0]["field"] == "years_experience"
    assert "has 2 columns, the header has 4" in rows[3].errors[0]["message"]
    assert rows[4].errors[0]["field"] == "user_id"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("user_id,display_name\nu1,Zoë\n".encode("latin-1"), "not UTF-8 text"),
        (b"", "empty"),
        (b"user_id,shoe_size\nu1,42\n", "unknown CSV column 'shoe_size'"),
        (b"display_name\nAda\n", "needs a user_id column"),
    ],
)
def test_unreadable_files_are_refused_whole(body: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_csv_rows(body)


def test_utf8_with_bom_is_fine() -> None:
    [row] = parse_csv_rows("user_id,display_name\nu1,Zoë\n".encode("utf-8-sig"))
    assert row.fields is not None and row.fields.display_name == "Zoë"


def test_json_rows() -> None:
    rows = parse_json_rows(
        {
            "members": [
                {"user_id": "u1", "display_name": "A", "skills": ["x"]},
                {"user_id": "u2", "display_name": "B", "colour": "red"},
                "nope",
            ]
        }
    )
    assert rows[0].errors == []
    assert rows[1].errors[0]["field"] == "colour"
    assert rows[2].errors[0]["message"] == "each member must be an object"
    with pytest.raises(InvalidInput, match="expected"):
        parse_json_rows({"people": []})
