"""Scheduling benchmarks, each against a baseline measured in the same run.

* **free slots**: a mentor with a year of weekly rules (three rules, holidays, blocked
  ranges), 1,000 meetings, a buffer and day/week limits; every 30-minute slot of the year
  by interval arithmetic (the service's ``free_time`` + ``slots``), versus a naive
  minute-by-minute expansion of the same rules (each minute of the year read on the
  mentor's wall clock, then runs of free minutes cut into slots). Both must give the same
  slots. Goal: under 20 ms.
* **booking under contention**: bookings through the HTTP API of the whole service (in
  process, FerretDB, Kafka): 20 concurrent clients racing 10 each for 20 one-hour slots
  (exactly 20 must win), and 100 uncontended bookings; versus raw ``insert_one`` of a
  document at the same concurrency on the same server.

Run: ``python bench/run.py scheduling`` (needs the local stack).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from scheduling.domain.availability import Availability, LocalRange, WeeklyRule
from scheduling.domain.slots import QUANTUM, Busy, free_time, slots, week_key
from scheduling.domain.zones import epoch, instant

ZONE = "Europe/Paris"
YEAR_START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday: the window spans both DST changes


def year_of_rules() -> Availability:
    tz = ZoneInfo(ZONE)
    rng = random.Random(7)
    day0 = YEAR_START.astimezone(tz).date()
    holidays = frozenset(day0 + timedelta(days=rng.randrange(365)) for _ in range(20))
    blocked = []
    for _ in range(30):
        start = datetime.combine(day0 + timedelta(days=rng.randrange(365)), clock(12))
        blocked.append(LocalRange(start, start + timedelta(hours=5)))
    return Availability(
        timezone=ZONE,
        rules=(
            WeeklyRule((0, 1, 2, 3, 4), clock(9), clock(12)),
            WeeklyRule((0, 1, 2, 3, 4), clock(14), clock(18)),
            WeeklyRule((5,), clock(10), clock(14)),
            WeeklyRule((6,), clock(20), None),
        ),
        blocked=tuple(blocked),
        holidays=holidays,
        buffer_minutes=15,
        max_per_day=3,
        max_per_week=20,
    )


def thousand_meetings(a: Availability, start: int, end: int) -> list[Busy]:
    """1,000 meetings inside open time (a meeting per open interval, more in long ones)."""
    rng = random.Random(11)
    opened = a.open_time(start, end)
    busy: list[Busy] = []
    while len(busy) < 1000:
        s, e = opened[rng.randrange(len(opened))]
        if e - s < 3600:
            continue
        at = s + rng.randrange((e - s - 1800) // QUANTUM) * QUANTUM
        if all(b.end + 900 <= at or b.start >= at + 1800 + 900 for b in busy):
            busy.append(Busy(at, at + 1800, counted=rng.random() < 0.3))
    return sorted(busy, key=lambda b: b.start)


def naive_slots(
    a: Availability, busy: list[Busy], start: int, end: int, duration: int, step: int
) -> list[tuple[int, int]]:
    """Minute by minute: the baseline the interval arithmetic replaces."""
    tz = ZoneInfo(a.timezone)
    per_day = Counter(instant(b.start).astimezone(tz).date() for b in busy if b.counted)
    per_week: Counter[date] = Counter()
    for d, n in per_day.items():
        per_week[week_key(d)] += n
    buffer = a.buffer_seconds
    taken = set()
    for b in busy:
        taken.update(range((b.start - buffer) // 60, (b.end + buffer) // 60))
    free = []
    for minute in range(start // 60, end // 60):
        wall = instant(minute * 60).astimezone(tz).replace(tzinfo=None)
        ok = wall.date() not in a.holidays and any(
            wall.weekday() in r.weekdays
            and r.start <= wall.time()
            and (r.end is None or wall.time() < r.end)
            for r in a.rules
        )
        ok = ok and not any(r.start <= wall < r.end for r in a.blocked)
        ok = ok and minute not in taken
        ok = ok and (a.max_per_day is None or per_day[wall.date()] < a.max_per_day)
        ok = ok and (a.max_per_week is None or per_week[week_key(wall.date())] < a.max_per_week)
        free.append(ok)
    out = []
    run_start = None
    for i, ok in enumerate([*free, False]):
        if ok and run_start is None:
            run_start = i
        elif not ok and run_start is not None:
            first = start + run_start * 60
            offset = int(instant(first).astimezone(tz).utcoffset().total_seconds())  # type: ignore[union-attr]
            s = -(-(first + offset) // step) * step - offset
            while s + duration <= start + i * 60:
                out.append((s, s + duration))
                s += step
            run_start = None
    return out


def bench_free_slots() -> list[dict[str, object]]:
    a = year_of_rules()
    start = epoch(YEAR_START)
    end = start + 365 * 86400
    busy = thousand_meetings(a, start, end)
    tz = ZoneInfo(ZONE)
    times = []
    for _ in range(30):
        t0 = time.process_time()
        found = slots(free_time(a, busy, start, end, start), 1800, 1800, tz)
        times.append((time.process_time() - t0) * 1000)
    two_weeks = []
    for _ in range(30):
        t0 = time.process_time()
        slots(free_time(a, busy, start, start + 14 * 86400, start), 1800, 1800, tz)
        two_weeks.append((time.process_time() - t0) * 1000)
    t0 = time.process_time()
    naive = naive_slots(a, busy, start, end, 1800, 1800)
    naive_ms = (time.process_time() - t0) * 1000
    fast = statistics.median(times)
    return [
        {
            "measure": "free 30-min slots of a year, 4 rules, 1,000 meetings (interval arithmetic)",
            "cpu_ms": fast,
            "detail": f"p95 {sorted(times)[28]:.1f} ms CPU; {len(found):,} slots; goal < 20 ms",
        },
        {
            "measure": "same, the next two weeks (what the API serves by default)",
            "cpu_ms": statistics.median(two_weeks),
        },
        {
            "measure": "same year, naive minute-by-minute expansion (baseline)",
            "cpu_ms": naive_ms,
            "detail": f"{len(naive):,} slots; same slots: {sorted(naive) == sorted(found)}",
        },
        {"measure": "speed-up (naive / intervals)", "ratio": naive_ms / fast},
    ]


async def bench_booking() -> list[dict[str, object]]:
    from chassis.devtokens import mint_token
    from chassis.kafka import ensure_topics
    from scheduling.application.ports import Pair
    from scheduling.bootstrap import create_app
    from scheduling.settings import SchedulingSettings
    from testkit import bearer
    from testkit.apps import serve_in_process

    run = uuid.uuid4().hex[:8]
    prefix = f"bench{run}."
    settings = SchedulingSettings(
        environment="test",
        mongo_db=f"bench_scheduling_{run}",
        topic_prefix=prefix,
        consumer_group_prefix=f"bench{run}.",
        storage_profile="ferretdb",
        reminder_sweep_seconds=600,
    )
    await ensure_topics(settings.kafka_bootstrap, prefix=prefix)
    app = create_app(settings)
    rows: list[dict[str, object]] = []
    async with serve_in_process(app) as http:
        service = app.state.scheduling
        tenant = f"bench-{run}"
        mentor_auth = bearer(mint_token("mentor", tenant, roles=["member"]))
        always = [{"weekdays": list(range(7)), "start": "00:00", "end": "24:00"}]
        put = await http.put(
            "/v1/me/availability",
            json={"timezone": ZONE, "rules": always, "buffer_minutes": 10},
            headers=mentor_auth,
        )
        assert put.status_code == 200, put.text
        mentees = [f"mentee-{i}" for i in range(20)]
        for i, mentee in enumerate(mentees):
            await service.mentorships.made(
                Pair(tenant, f"match-{i}", "prog", "one_to_one", None, "mentor", [mentee], True)
            )
        base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)

        async def book(i: int, at: datetime) -> int:
            response = await http.post(
                f"/v1/matches/match-{i}/meetings",
                json={"starts_at": at.isoformat(), "duration_minutes": 60, "title": "b"},
                headers=bearer(mint_token(mentees[i], tenant, roles=["member"])),
            )
            return response.status_code

        async def clients(jobs: list[tuple[int, datetime]]) -> tuple[float, Counter[int]]:
            queue = list(jobs)
            codes: Counter[int] = Counter()

            async def worker(i: int) -> None:
                while queue:
                    _, at = queue.pop()
                    codes[await book(i, at)] += 1

            t0 = time.perf_counter()
            await asyncio.gather(*(worker(i) for i in range(20)))
            return time.perf_counter() - t0, codes

        # contention: 20 slots (2 h apart), each asked for by 10 requests
        contested = [(0, base + timedelta(hours=2 * (k % 20))) for k in range(200)]
        random.Random(3).shuffle(contested)
        seconds, codes = await clients(contested)
        rows.append(
            {
                "measure": "200 bookings racing for 20 slots, 20 concurrent clients",
                "per_s": 200 / seconds,
                "detail": f"answers {dict(codes)} (exactly 20 must be 201)",
            }
        )
        free = [(0, base + timedelta(days=3, hours=2 * k)) for k in range(100)]
        seconds, codes = await clients(free)
        rows.append(
            {
                "measure": "100 uncontended bookings, 20 concurrent clients",
                "per_s": 100 / seconds,
                "detail": f"answers {dict(codes)}",
            }
        )
        raw = app.state.runtime.db["bench_raw"]
        docs = [{"_id": uuid.uuid4().hex, "n": k} for k in range(200)]

        async def insert_worker() -> None:
            while docs:
                await raw.insert_one(docs.pop())

        t0 = time.perf_counter()
        await asyncio.gather(*(insert_worker() for _ in range(20)))
        raw_rate = 200 / (time.perf_counter() - t0)
        rows.append(
            {
                "measure": "baseline: raw insert_one, 20 concurrent (same server)",
                "per_s": raw_rate,
            }
        )
        rows.append(
            {
                "measure": "uncontended booking / raw insert",
                "ratio": rows[1]["per_s"] / raw_rate,  # type: ignore[operator]
            }
        )
        await app.state.runtime.mongo.drop_database(settings.mongo_db)
    return rows


def run() -> list[dict[str, object]]:
    rows = bench_free_slots()
    rows += asyncio.run(bench_booking())
    return rows


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "tests"))
    for row in run():
        print(row)
