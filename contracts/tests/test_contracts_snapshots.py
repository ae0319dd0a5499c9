"""Committed JSON Schema snapshots and the snapshot CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mentorship_contracts import EventPayload, MatchMadeV1, all_payloads
from mentorship_contracts.compat import check_compatible
from mentorship_contracts.snapshots import (
    SCHEMA_DIR,
    check_snapshots,
    main,
    payload_schema,
    render_schema,
    snapshot_name,
)


def test_snapshots_live_in_the_contracts_package_checkout() -> None:
    assert SCHEMA_DIR == Path(__file__).resolve().parents[1] / "schemas"


@pytest.mark.parametrize("payload", all_payloads(), ids=lambda p: p.__name__)
def test_every_payload_has_a_committed_compatible_snapshot(payload: type[EventPayload]) -> None:
    path = SCHEMA_DIR / snapshot_name(payload)
    assert path.exists(), (
        f"{path.name} missing: run python -m mentorship_contracts.snapshots --write"
    )
    published = json.loads(path.read_text())
    assert check_compatible(published, payload_schema(payload)) == []
    assert published == payload_schema(payload), "compatible change not recorded: run --write"


def test_check_reports_everything_up_to_date() -> None:
    statuses = check_snapshots()
    assert {s.state for s in statuses} == {"ok"}, [s.describe() for s in statuses]
    assert main([]) == 0


@pytest.fixture
def snapshot_dir(tmp_path: Path) -> Path:
    assert main(["--write", "--dir", str(tmp_path)]) == 0
    return tmp_path


def test_cli_refuses_missing_snapshots_until_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--dir", str(tmp_path)]) == 1
    assert "no snapshot yet" in capsys.readouterr().err
    assert main(["--write", "--dir", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.json"))) == len(all_payloads())
    assert main(["--dir", str(tmp_path)]) == 0


def test_cli_never_overwrites_a_broken_snapshot_without_force(
    snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = snapshot_dir / snapshot_name(MatchMadeV1)
    published = json.loads(path.read_text())
    # Pretend the published version allowed a longer match_id and an extra origin.
    published["properties"]["match_id"]["maxLength"] = 1000
    published["properties"]["origin"]["enum"].append("imported")
    path.write_text(render_schema(published))

    assert main(["--dir", str(snapshot_dir)]) == 1
    err = capsys.readouterr().err
    assert "BREAKING" in err
    assert "$.match_id: maxLength tightened from 1000 to 128" in err
    assert "$.origin: enum narrowed, removed ['imported']" in err

    assert main(["--write", "--dir", str(snapshot_dir)]) == 1
    assert json.loads(path.read_text()) == published  # untouched

    assert main(["--write", "--force", "--dir", str(snapshot_dir)]) == 0
    assert json.loads(path.read_text()) == payload_schema(MatchMadeV1)


def test_cli_records_compatible_changes_only_with_write(
    snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = snapshot_dir / snapshot_name(MatchMadeV1)
    published = json.loads(path.read_text())
    del published["properties"]["round_id"]  # the code added an optional field since
    path.write_text(render_schema(published))

    assert main(["--dir", str(snapshot_dir)]) == 1
    assert "compatible change not recorded" in capsys.readouterr().err
    assert main(["--write", "--dir", str(snapshot_dir)]) == 0
    assert json.loads(path.read_text()) == payload_schema(MatchMadeV1)


def test_cli_flags_a_snapshot_without_payload(
    snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (snapshot_dir / "match-made.v0.json").write_text("{}\n")
    assert main(["--write", "--dir", str(snapshot_dir)]) == 1
    assert "match-made.v0.json: snapshot without a payload" in capsys.readouterr().err


def test_force_needs_write() -> None:
    with pytest.raises(SystemExit):
        main(["--force"])


def test_cli_needs_an_existing_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--dir", str(tmp_path / "nowhere")]) == 2
    assert "not found" in capsys.readouterr().err
