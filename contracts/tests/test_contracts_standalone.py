"""The package stands alone: pydantic is its only runtime dependency."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

CONTRACTS = Path(__file__).resolve().parents[1]


def test_only_pydantic_is_a_dependency() -> None:
    project = tomllib.loads((CONTRACTS / "pyproject.toml").read_text())["project"]
    assert [d.split(">")[0].split("=")[0].strip() for d in project["dependencies"]] == ["pydantic"]


def test_runtime_modules_do_not_import_faststream() -> None:
    code = (
        "import sys\n"
        "import mentorship_contracts, mentorship_contracts.compat, mentorship_contracts.snapshots\n"
        "from mentorship_contracts.asyncapi import load_asyncapi\n"
        "assert load_asyncapi()['channels']\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'faststream', 'aiokafka', 'fast_depends'})\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
