"""The web app built once per session for the browser suite (``npm ci`` when its lock
changed, then ``npm run build``: API types from the services' code, type check, bundle)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.infra import REPO

WEB = REPO / "web"


def require(path: Path | str | None, what: str) -> str:
    """The path, or a failure (never a skip) naming what to install."""
    if path is None or not Path(path).exists():
        pytest.fail(f"{what} is missing: run `python3 deploy/local/stack.py install`")
    return str(path)


def npm(*args: str) -> None:
    binary = require(shutil.which("npm"), "npm (Node.js 20+)")
    env = {**os.environ, "PYTHON": sys.executable}
    proc = subprocess.run([binary, *args], cwd=WEB, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"npm {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="session")
def web_build() -> Path:
    if os.environ.get("WEB_PREBUILT") == "1" and (WEB / "dist" / "index.html").exists():
        return WEB / "dist"  # `make test` built it before pytest started (see the Makefile)
    installed = WEB / "node_modules" / ".package-lock.json"
    lock = WEB / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        npm("ci", "--no-audit", "--no-fund")
    npm("run", "build")
    return WEB / "dist"
