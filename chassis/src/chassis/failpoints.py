"""Named crash points for fault tests (the etcd/FoundationDB "failpoint" idea).

A fault test starts a process with ``CHASSIS_FAILPOINTS_DIR`` set to a directory and arms
a point by creating a file of that name there; the process then kills itself with
``SIGKILL`` the next time it reaches the point (the file is removed first, so the
restarted process carries on), exactly where a real crash hurts most: e.g. after a
consumer's effect is stored, before its marker and offset commit. Unset (production),
:func:`crash_if` costs one comparison.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

ENV = "CHASSIS_FAILPOINTS_DIR"
_DIR = Path(os.environ[ENV]) if os.environ.get(ENV) else None


def crash_if(point: str) -> None:
    """Die like ``kill -9`` here if ``point`` is armed."""
    if _DIR is None:
        return
    armed = _DIR / point
    if armed.exists():
        with contextlib.suppress(FileNotFoundError):
            armed.unlink()
            os.kill(os.getpid(), signal.SIGKILL)
