"""The web app's own checks: ESLint (no warnings) and its Vitest unit tests (the type
check runs in every build, so a changed API breaks ``web_build``)."""

from __future__ import annotations

from pathlib import Path

from conftest import npm


def test_lint_passes(web_build: Path) -> None:
    npm("run", "lint")


def test_unit_tests_pass(web_build: Path) -> None:
    npm("test")
