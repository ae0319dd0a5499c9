"""JSON Schema snapshots of the published payloads, and the check CI runs against them.

A snapshot is the JSON Schema of a payload version as it was published, committed under
``contracts/schemas/<topic>.v<version>.json`` (found relative to this source file: this
is a development and CI tool that runs from a checkout, not from an installed wheel).

``python -m mentorship_contracts.snapshots``
    Check: exit 1 if a payload has no snapshot, if the code breaks a snapshot
    (:func:`mentorship_contracts.compat.check_compatible`), if a compatible change was not
    recorded, or if a snapshot has no payload any more.
``--write``
    Also write snapshots of new payloads and record compatible changes (so the next
    change is compared with the latest published schema). Breaking changes are refused.
``--write --force``
    Overwrite even a broken snapshot. Only for a version that was never published.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .compat import check_compatible
from .events import EventPayload, all_payloads

__all__ = [
    "SCHEMA_DIR",
    "SnapshotStatus",
    "check_snapshots",
    "main",
    "payload_schema",
    "render_schema",
    "snapshot_name",
    "write_snapshots",
]

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"

State = Literal["ok", "new", "changed", "breaking", "orphan"]


def snapshot_name(payload: type[EventPayload]) -> str:
    return f"{payload.TOPIC}.v{payload.VERSION}.json"


def payload_schema(payload: type[EventPayload]) -> dict[str, Any]:
    """The JSON Schema consumers validate against (pydantic's validation mode)."""
    return payload.model_json_schema(mode="validation")


def render_schema(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass
class SnapshotStatus:
    """How the current code relates to one snapshot file."""

    name: str
    state: State
    problems: list[str] = field(default_factory=list)
    payload: type[EventPayload] | None = None

    def describe(self) -> str:
        text = {
            "ok": "up to date",
            "new": "no snapshot yet (new payload)",
            "changed": "compatible change not recorded in the snapshot",
            "breaking": "BREAKING change against the published snapshot",
            "orphan": "snapshot without a payload (was a published version removed?)",
        }[self.state]
        lines = [f"{self.name}: {text}"]
        lines.extend(f"    - {problem}" for problem in self.problems)
        return "\n".join(lines)


def check_snapshots(directory: Path = SCHEMA_DIR) -> list[SnapshotStatus]:
    """Compare every payload with its snapshot in ``directory``."""
    statuses: list[SnapshotStatus] = []
    expected: set[str] = set()
    for payload in all_payloads():
        name = snapshot_name(payload)
        expected.add(name)
        path = directory / name
        if not path.exists():
            statuses.append(SnapshotStatus(name, "new", payload=payload))
            continue
        try:
            published = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            statuses.append(
                SnapshotStatus(name, "breaking", [f"unreadable snapshot: {exc}"], payload)
            )
            continue
        current = payload_schema(payload)
        if problems := check_compatible(published, current):
            statuses.append(SnapshotStatus(name, "breaking", problems, payload))
        elif published != current:
            statuses.append(SnapshotStatus(name, "changed", payload=payload))
        else:
            statuses.append(SnapshotStatus(name, "ok", payload=payload))
    if directory.is_dir():
        for path in sorted(directory.glob("*.json")):
            if path.name not in expected:
                statuses.append(SnapshotStatus(path.name, "orphan"))
    return statuses


def write_snapshots(
    statuses: Sequence[SnapshotStatus], directory: Path = SCHEMA_DIR, *, force: bool = False
) -> list[SnapshotStatus]:
    """Write the snapshots that may be written; return those written."""
    writable = {"new", "changed", "breaking"} if force else {"new", "changed"}
    written = []
    directory.mkdir(parents=True, exist_ok=True)
    for status in statuses:
        if status.state in writable and status.payload is not None:
            (directory / status.name).write_text(
                render_schema(payload_schema(status.payload)), encoding="utf-8"
            )
            written.append(status)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mentorship_contracts.snapshots",
        description="Check payload schemas against their committed JSON Schema snapshots.",
    )
    parser.add_argument("--write", action="store_true", help="record new and compatible schemas")
    parser.add_argument(
        "--force", action="store_true", help="with --write: overwrite breaking changes too"
    )
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="snapshot directory")
    args = parser.parse_args(argv)
    if args.force and not args.write:
        parser.error("--force needs --write")

    if not args.dir.is_dir():
        print(
            f"snapshot directory {args.dir} not found: run from a checkout of the contracts "
            "package or pass --dir",
            file=sys.stderr,
        )
        return 2
    statuses = check_snapshots(args.dir)
    written = write_snapshots(statuses, args.dir, force=args.force) if args.write else []
    written_names = {s.name for s in written}
    failed = False
    for status in statuses:
        if status.name in written_names:
            print(f"{status.name}: written ({status.state})")
            for problem in status.problems:
                print(f"    - {problem}")
        elif status.state != "ok":
            failed = True
            print(status.describe(), file=sys.stderr)
    if failed and not args.write:
        print("\nrun with --write to record new payloads and compatible changes", file=sys.stderr)
    ok = sum(s.state == "ok" for s in statuses)
    print(f"{ok}/{len(statuses)} snapshots up to date, {len(written)} written")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
