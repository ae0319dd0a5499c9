"""A failpoint kills its process once, only where armed, and costs nothing when unset."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

SCRIPT = "from chassis.failpoints import crash_if; crash_if('after-effect:x'); print('passed')"


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_armed_point_kills_once_then_is_spent(tmp_path: Path) -> None:
    (tmp_path / "after-effect:x").touch()
    first = _run({"CHASSIS_FAILPOINTS_DIR": str(tmp_path)})
    assert first.returncode == -signal.SIGKILL and "passed" not in first.stdout
    again = _run({"CHASSIS_FAILPOINTS_DIR": str(tmp_path)})
    assert again.returncode == 0 and "passed" in again.stdout


def test_unarmed_or_unset_points_do_nothing(tmp_path: Path) -> None:
    (tmp_path / "another-point").touch()
    assert "passed" in _run({"CHASSIS_FAILPOINTS_DIR": str(tmp_path)}).stdout
    assert "passed" in _run({"CHASSIS_FAILPOINTS_DIR": ""}).stdout
