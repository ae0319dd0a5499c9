"""Benchmark runner: ``make bench`` (or ``python bench/run.py [name ...]``).

Each ``bench_<name>.py`` module exposes ``run() -> list[Row]`` (sync or async). Results are
printed as a table and written to ``bench/results/<name>.json``. Targets are judged as
ratios against baselines measured in the same run, because these machines are shared.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]


def discover() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def print_table(name: str, rows: list[dict[str, object]]) -> None:
    print(f"\n## {name}")
    if not rows:
        print("(no rows)")
        return
    columns = list(dict.fromkeys(k for row in rows for k in row))
    widths = {c: max(len(c), *(len(_fmt(r.get(c, ""))) for r in rows)) for c in columns}
    print(" | ".join(c.ljust(widths[c]) for c in columns))
    print("-|-".join("-" * widths[c] for c in columns))
    for row in rows:
        print(" | ".join(_fmt(row.get(c, "")).ljust(widths[c]) for c in columns))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.4f}"
    return str(value)


def main(names: list[str]) -> None:
    (HERE / "results").mkdir(exist_ok=True)
    for name in names or discover():
        module = importlib.import_module(f"bench_{name}")
        started = time.perf_counter()
        result = module.run()
        rows = asyncio.run(result) if inspect.isawaitable(result) else result
        print_table(name, rows)
        print(f"({time.perf_counter() - started:.1f} s)")
        (HERE / "results" / f"{name}.json").write_text(json.dumps(rows, indent=2, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
