"""The application layer depends on ports, never on adapters.

Use cases, projectors and queries take Protocols (``application/ports.py``), so each can be
tested with the in-memory fakes. ``service.py`` is the exception: it is the container the
entrypoints and the startup hooks see, holding the concrete stores bootstrap built.
"""

from __future__ import annotations

import ast
from pathlib import Path

import matching.application

APPLICATION = Path(matching.application.__file__).parent
CONTAINER = {"service.py"}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_application_modules_import_no_adapter() -> None:
    offenders = {
        path.name: sorted(m for m in _imported(path) if m.startswith("matching.adapters"))
        for path in sorted(APPLICATION.glob("*.py"))
        if path.name not in CONTAINER
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}
