"""Every service's ``domain/`` package imports no I/O library (and chassis.domain neither)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IO_LIBRARIES = {
    "pymongo",
    "motor",
    "faststream",
    "aiokafka",
    "minio",
    "fastapi",
    "starlette",
    "httpx",
    "requests",
    "smtplib",
    "socket",
    "asyncio",
    "opentelemetry",
}
#: chassis modules a domain package may use: pure building blocks, error types, text rules
ALLOWED_CHASSIS = {"chassis.domain", "chassis.errors", "chassis.text"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _domain_files() -> list[Path]:
    files = sorted(REPO.glob("services/*/src/*/domain/**/*.py"))
    pure_chassis = [REPO / f"chassis/src/{m.replace('.', '/')}.py" for m in ALLOWED_CHASSIS]
    return [*files, *sorted(pure_chassis)]


def test_domain_packages_import_no_io_library() -> None:
    offenders = []
    for path in _domain_files():
        for name in _imports(path):
            root = name.split(".")[0]
            if root in IO_LIBRARIES:
                offenders.append(f"{path.relative_to(REPO)} imports {name}")
            if root == "chassis" and name not in ALLOWED_CHASSIS:
                offenders.append(f"{path.relative_to(REPO)} imports {name}")
            if ".adapters" in name or ".entrypoints" in name or ".application" in name:
                offenders.append(f"{path.relative_to(REPO)} imports {name}")
    assert offenders == []


def test_the_check_sees_every_service() -> None:
    services = {p.relative_to(REPO).parts[1] for p in _domain_files() if "services" in p.parts}
    assert {"profiles", "matching"} <= services
