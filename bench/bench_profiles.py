"""Profiles benchmarks, each against a baseline measured in the same run.

* ``bench_search``: p50/p95 latency of a keyword query with two filters over N profiles in
  the tantivy index (the service's own ``ProfileIndex``), versus a plain linear scan in
  Python over the same documents (substring keyword match, same filters).
* ``bench_import``: members imported per second through the HTTP import endpoint (CSV, the
  whole service: validation, event store appends, projections, search index), versus raw
  ``insert_many`` of the same member documents on the same MongoDB wire server. Measured
  twice: with the chassis outbox relay paused (the import path alone) and with it
  draining the 20,000 new events to Kafka at the same time (as deployed). Goal: 10,000
  members in under 60 s.

Run: ``python bench/bench_profiles.py`` (needs the local stack for the import benchmark:
``python3 deploy/local/stack.py start``). Each function returns a dict; the script prints a
table.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import statistics
import time
import uuid
from typing import Any

from profiles.adapters.search_index import IndexedMember, ProfileIndex, SearchFilters

INDUSTRIES = [
    "Software",
    "Finance",
    "Healthcare",
    "Energy",
    "Retail",
    "Telecom",
    "Education",
    "Manufacturing",
    "Media",
    "Government",
]
SKILLS = [
    "Python",
    "Kubernetes",
    "Go",
    "Rust",
    "SQL",
    "Machine learning",
    "Leadership",
    "Product strategy",
    "Cloud architecture",
    "Security",
    "Marketing",
    "Negotiation",
    "Public speaking",
    "Data visualization",
    "Embedded systems",
    "UX research",
    "Accounting",
    "Supply chain",
    "Project management",
    "Statistics",
]
WORDS = [
    "mentor",
    "engineering",
    "teams",
    "growth",
    "career",
    "startup",
    "architecture",
    "distributed",
    "systems",
    "design",
    "customers",
    "analytics",
    "strategy",
    "operations",
    "platform",
    "research",
    "coaching",
    "community",
    "delivery",
    "scale",
]
ZONES = [
    "Europe/Paris",
    "America/Toronto",
    "America/Vancouver",
    "Asia/Kolkata",
    "Africa/Nairobi",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Europe/London",
    "UTC",
]
IMPORT_CHUNK = 2_500
LANGS = [["en"], ["fr", "en"], ["es", "en"], ["pt"], ["de", "en"], ["hi", "en"], ["ja"]]


def synthetic_profiles(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        skills = rng.sample(SKILLS, 4)
        out.append(
            {
                "member_id": f"m{i:07d}",
                "roles": ["mentor"] if i % 3 == 0 else ["mentee"],
                "display_name": f"Person {i}",
                "headline": f"{rng.choice(skills)} {rng.choice(WORDS)} lead",
                "bio": " ".join(rng.choice(WORDS) for _ in range(40)),
                "skills": skills,
                "keywords": rng.sample(WORDS, 3),
                "industry": rng.choice(INDUSTRIES),
                "languages": rng.choice(LANGS),
                "timezone": rng.choice(ZONES),
                "years_experience": rng.randint(0, 35),
                "accepting_mentees": rng.random() < 0.7,
            }
        )
    return out


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return p50 * 1000, p95 * 1000


def _linear_scan(
    docs: list[dict[str, Any]], words: list[str], industry: str, language: str, limit: int = 20
) -> list[str]:
    """The baseline: filter and score every document in Python (term-count scoring)."""
    scored = []
    for d in docs:
        if d["industry"] != industry or language not in d["languages"]:
            continue
        text = " ".join([d["headline"], d["bio"], *d["skills"], *d["keywords"]]).lower()
        score = sum(text.count(w) for w in words)
        if score:
            scored.append((score, d["member_id"]))
    scored.sort(reverse=True)
    return [m for _, m in scored[:limit]]


def bench_search(n: int = 50_000, queries: int = 200, baseline_queries: int = 50) -> dict[str, Any]:
    docs = synthetic_profiles(n)
    index = ProfileIndex()
    started = time.perf_counter()
    for d in docs:
        index.upsert(
            IndexedMember(
                d["member_id"],
                "bench",
                "p1",
                d["roles"],
                True,
                {k: v for k, v in d.items() if k not in ("member_id", "roles")},
                1,
            )
        )
    index.refresh()
    build_s = time.perf_counter() - started
    rng = random.Random(11)
    cases = [
        (
            " ".join(rng.sample(WORDS + [s.lower() for s in SKILLS], 2)),
            rng.choice(INDUSTRIES),
            rng.choice(["en", "fr", "es"]),
        )
        for _ in range(queries)
    ]
    tantivy_times, hits = [], 0
    for text, industry, language in cases:
        t = time.perf_counter()
        page = index.search(
            "bench",
            "p1",
            text,
            SearchFilters(industries=[industry], languages=[language]),
            limit=20,
        )
        tantivy_times.append(time.perf_counter() - t)
        hits += len(page.hits)
    scan_times = []
    for text, industry, language in cases[:baseline_queries]:
        t = time.perf_counter()
        _linear_scan(docs, text.split(), industry, language)
        scan_times.append(time.perf_counter() - t)
    t50, t95 = _percentiles(tantivy_times)
    b50, b95 = _percentiles(scan_times)
    return {
        "profiles": n,
        "index_build_s": round(build_s, 2),
        "queries": queries,
        "avg_hits": round(hits / queries, 1),
        "tantivy_p50_ms": round(t50, 3),
        "tantivy_p95_ms": round(t95, 3),
        "scan_p50_ms": round(b50, 3),
        "scan_p95_ms": round(b95, 3),
        "speedup_p50": round(b50 / t50, 1),
        "speedup_p95": round(b95 / t95, 1),
    }


def _csv(docs: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "user_id",
            "display_name",
            "roles",
            "headline",
            "bio",
            "skills",
            "keywords",
            "industry",
            "languages",
            "timezone",
            "years_experience",
        ]
    )
    for d in docs:
        writer.writerow(
            [
                d["member_id"],
                d["display_name"],
                ";".join(d["roles"]),
                d["headline"],
                d["bio"],
                ";".join(d["skills"]),
                ";".join(d["keywords"]),
                d["industry"],
                ";".join(d["languages"]),
                d["timezone"],
                d["years_experience"],
            ]
        )
    return out.getvalue().encode()


async def _import_once(n: int, *, relay: bool) -> dict[str, Any]:
    """Import ``n`` members through HTTP into a fresh database; time the requests."""
    import httpx

    from chassis.devtokens import mint_token
    from chassis.kafka import ensure_topics
    from profiles.bootstrap import create_app
    from profiles.settings import ProfilesSettings

    run = uuid.uuid4().hex[:8]
    settings = ProfilesSettings(
        mongo_db=f"bench_profiles_{run}",
        # the local stack's FerretDB; PROFILES_STORAGE_PROFILE=mongodb for a real MongoDB
        storage_profile=os.environ.get("PROFILES_STORAGE_PROFILE", "ferretdb"),  # type: ignore[arg-type]
        topic_prefix=f"bench{run}.",
        consumer_group_prefix=f"bench{run}.",
        environment="test",
    )
    await ensure_topics(settings.kafka_bootstrap, prefix=settings.topic_prefix)
    docs = synthetic_profiles(n, seed=3)
    chunks = [_csv(docs[i : i + IMPORT_CHUNK]) for i in range(0, n, IMPORT_CHUNK)]
    app = create_app(settings)
    admin = {"Authorization": "Bearer " + mint_token("bench-admin", "bench", roles=["org_admin"])}
    try:
        async with app.router.lifespan_context(app):
            if not relay:  # isolate the service's own import path from the outbox relay
                for task in app.state.runtime.background:
                    if task.get_name() == "outbox-relay":
                        task.cancel()
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", timeout=900
            ) as http:
                created = await http.post(
                    "/v1/programs",
                    json={"name": "Bench", "requires_mentor_approval": False},
                    headers=admin,
                )
                pid = created.json()["program_id"]
                started = time.perf_counter()
                created_total, per_request = 0, []
                for chunk in chunks:  # files of IMPORT_CHUNK rows (the body limit is 5 MB)
                    t = time.perf_counter()
                    r = await http.post(
                        f"/v1/programs/{pid}/members/import",
                        content=chunk,
                        headers={**admin, "Content-Type": "text/csv"},
                    )
                    per_request.append(round(time.perf_counter() - t, 1))
                    assert r.status_code == 200, r.text[:500]
                    created_total += r.json()["created"]
                import_s = time.perf_counter() - started
                assert created_total == n, created_total
                app.state.profiles.index.refresh()
                searchable = app.state.profiles.index.num_docs
            await app.state.runtime.mongo.drop_database(settings.mongo_db)
    finally:
        await _delete_topics(settings.kafka_bootstrap, settings.topic_prefix)
    return {
        "s": import_s,
        "per_request": per_request,
        "searchable": searchable,
        "requests": len(chunks),
    }


async def _raw_insert(n: int) -> float:
    from pymongo import AsyncMongoClient

    from profiles.settings import ProfilesSettings

    client: AsyncMongoClient[Any] = AsyncMongoClient(ProfilesSettings().mongo_url)
    name = f"bench_profiles_raw_{uuid.uuid4().hex[:8]}"
    rows = [
        {"_id": d["member_id"], **{k: v for k, v in d.items() if k != "member_id"}}
        for d in synthetic_profiles(n, seed=3)
    ]
    try:
        started = time.perf_counter()
        await client[name]["members"].insert_many(rows, ordered=False)
        return time.perf_counter() - started
    finally:
        await client.drop_database(name)
        await client.close()


async def _bench_import(n: int) -> dict[str, Any]:
    raw_s = await _raw_insert(n)
    alone = await _import_once(n, relay=False)
    deployed = await _import_once(n, relay=True)
    return {
        "members": n,
        "requests": alone["requests"],
        "raw_insert_many_s": round(raw_s, 2),
        "import_s (relay paused)": round(alone["s"], 2),
        "  per request s": alone["per_request"],
        "  members/s": round(n / alone["s"]),
        "  vs raw insert_many": f"{alone['s'] / raw_s:.1f}x slower",
        "  goal (<60 s per 10k) met": alone["s"] < 60 * n / 10_000,
        "import_s (relay draining to Kafka)": round(deployed["s"], 2),
        "  per request s ": deployed["per_request"],
        "  members/s ": round(n / deployed["s"]),
        "  vs raw insert_many ": f"{deployed['s'] / raw_s:.1f}x slower",
        "  goal (<60 s per 10k) met ": deployed["s"] < 60 * n / 10_000,
        "searchable_after": deployed["searchable"],
    }


async def _delete_topics(bootstrap: str, prefix: str) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        mine = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


def bench_import(n: int = 10_000) -> dict[str, Any]:
    return asyncio.run(_bench_import(n))


def run() -> list[dict[str, object]]:
    """Rows for ``bench/run.py`` (``make bench``): search, then import."""
    search = bench_search()
    imports = bench_import()
    n = imports["members"]
    return [
        {
            "measure": f"search keyword + 2 filters, {search['profiles']:,} profiles (tantivy)",
            "p50 ms": search["tantivy_p50_ms"],
            "p95 ms": search["tantivy_p95_ms"],
            "goal": "p95 < 50 ms",
        },
        {
            "measure": "same query, Python linear scan (baseline)",
            "p50 ms": search["scan_p50_ms"],
            "p95 ms": search["scan_p95_ms"],
            "ratio": search["speedup_p95"],
        },
        {
            "measure": f"raw insert_many of {n:,} member documents",
            "s": imports["raw_insert_many_s"],
        },
        {
            "measure": f"import {n:,} members over HTTP, relay paused",
            "s": imports["import_s (relay paused)"],
            "ratio": imports["  vs raw insert_many"],
            "goal": "< 60 s",
        },
        {
            "measure": f"import {n:,} members over HTTP, relay publishing",
            "s": imports["import_s (relay draining to Kafka)"],
            "ratio": imports["  vs raw insert_many "],
            "goal": "< 60 s",
        },
    ]


def _table(title: str, result: dict[str, Any]) -> str:
    width = max(len(k) for k in result)
    lines = [title, "-" * (width + 14)]
    lines += [f"{k:<{width}}  {v}" for k, v in result.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=50_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--skip-import", action="store_true", help="search only (no stack)")
    args = parser.parse_args()
    print(
        _table(
            f"search: keyword + 2 filters over {args.profiles} profiles (tantivy vs linear scan)",
            bench_search(args.profiles),
        )
    )
    if not args.skip_import:
        print()
        print(
            _table(
                f"bulk import of {args.members} members (HTTP, CSV) vs raw insert_many",
                bench_import(args.members),
            )
        )


if __name__ == "__main__":
    main()
