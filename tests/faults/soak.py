"""``make soak``: the fault schedule on repeat under steady load for ~10 minutes (not in CI).

Each cycle: ``kill -9`` of every service (one of matching's two replicas), Kafka stopped
30 s, the MongoDB wire server stopped 15 s, a consumer of each service killed between its
effect and its offset commit; 20 s of plain load between faults. Prints the figures the
README quotes and writes them to ``bench/results/soak.json``.

    python tests/faults/soak.py [--minutes 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from faultkit.checker import summarize  # noqa: E402
from faultkit.scenario import Result, Schedule, run  # noqa: E402

RESULTS = HERE.parents[1] / "bench" / "results" / "soak.json"


def figures(r: Result) -> dict[str, object]:
    recovery: dict[str, list[float]] = {}
    for f in r.faults:
        kind = f.name.split(" (")[0]
        if f.recovered is not None:
            recovery.setdefault(kind, []).append(f.recovered)
    statuses = [o.status for o in r.ledger.outcomes]
    return {
        "load_seconds": round(r.duration),
        "faults": len(r.faults),
        "ops_per_second": r.rates(),
        "acknowledged": {
            kind: len(r.ledger.acked(kind)) for kind in sorted({a.kind for a in r.ledger.acks})
        },
        "answers": {
            "total": len(statuses),
            "no_answer": statuses.count(None),
            "503_with_retry_after_db_down": sum(
                1 for o in r.ledger.outcomes if o.status == 503 and o.retry_after
            ),
            "5xx_other": len(r.by("5xx")),
        },
        "findings": summarize(r.findings),
        "recovery_seconds": {
            k: {"median": round(statistics.median(v), 1), "max": round(max(v), 1), "n": len(v)}
            for k, v in recovery.items()
        },
        "examples": [f"[{f.category}] {f.detail}" for f in r.findings[:20]],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    schedule = Schedule(
        warmup=10,
        between=20,
        kafka_outage=30,
        mongo_outage=15,
        storage_outage=15,
        cycles=1,
        run_for=args.minutes * 60,
        cooldown=10,
    )
    logs = Path(tempfile.mkdtemp(prefix="soak-logs-"))
    result = asyncio.run(run(schedule, logs))
    out = figures(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    print(f"service logs: {logs}")
    return 0 if not result.findings else 1


if __name__ == "__main__":
    raise SystemExit(main())
