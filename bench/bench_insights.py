"""Insights: replay throughput of the read model and report latency for a large program.

A year of one program's events (``BENCH_INSIGHTS_MEMBERS`` members, 10,000 by default: a
third mentors, requests, matches, messages, meetings, ends, check-ins, goals) is put on
this run's own topics. Then, in the same run, on the same servers:

* **raw consume** (baseline): aiokafka reads the same topics from offset 0 to their end;
* **raw consume + contract parse** (second baseline): and validates every record's
  envelope and payload (what any contract consumer must do);
* **replay** (``python -m insights.rebuild``'s use case): read, parse, fold into the
  buckets, write the read model, hand the offsets over;
* **report latency**: each admin report over HTTP (the service in-process, auth, JSON and
  CSV), p50/p95 of repeated requests, next to reading the program's buckets raw from
  MongoDB as the baseline. The service reads through its one writer's cache, so only its
  very first request (``first_ms`` of the first row) reads the buckets from MongoDB.
  Four cases per report: *cold* (memo and per-bucket parts cleared: the whole program
  computed, what every report after a change cost before the parts; the same-run
  baseline of the others), *after one event* (a new message folded through the
  consumer's projector before each request: one bucket changed), *a minute later*
  (nothing changed, ``as_of`` one more minute each time) and *memoised* (the same
  request again).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from chassis.app import build_runtime
from chassis.devtokens import mint_token
from chassis.kafka import ensure_topics
from insights.adapters.topic_replay import KafkaTopicReplay
from insights.application.projector import Projector
from insights.application.rebuild import RebuildReadModel
from insights.bootstrap import build_buckets, create_app
from insights.domain.projection import bucket_ids
from insights.entrypoints.consumers import topics_and_names
from insights.settings import InsightsSettings
from mentorship_contracts.envelope import from_kafka, to_kafka
from mentorship_contracts.events import (
    CheckInAnsweredV1,
    EventPayload,
    GoalUpdatedV1,
    MatchMadeV1,
    MeetingBookedV1,
    MentorshipEndedV1,
    MentorshipRequestedV1,
    MentorshipRespondedV1,
    MessageSentV1,
    Participant,
    ProfileChangedV1,
    ProfileSnapshot,
    ProgramChangedV1,
    parse_payload,
)
from mentorship_contracts.factory import new_event
from mentorship_contracts.topics import topic, topic_for
from testkit.apps import serve_in_process
from testkit.infra import Infra, provide, storage_profile

MEMBERS = int(os.environ.get("BENCH_INSIGHTS_MEMBERS", "10000"))
MESSAGES_PER_MATCH = int(os.environ.get("BENCH_INSIGHTS_MESSAGES_PER_MATCH", "12"))
REQUESTS = int(os.environ.get("BENCH_INSIGHTS_REPORT_REQUESTS", "6"))
TENANT, PROGRAM, ORG = "bench-tenant", "bench-program", "bench-org"
DAY = timedelta(days=1)


def person(user: str) -> Participant:
    return Participant(member_id=f"m-{user}", user_id=user)


def year_of_events(members: int, seed: int = 7) -> list[tuple[EventPayload, datetime]]:
    """One program's year: joins, requests and answers, matches and their activity."""
    rng = random.Random(seed)
    start = datetime.now(UTC).replace(microsecond=0) - 365 * DAY
    out: list[tuple[EventPayload, datetime]] = [
        (
            ProgramChangedV1(
                tenant_id=TENANT,
                program_id=PROGRAM,
                program_version=1,
                organization_id=ORG,
                name="Bench program",
                kind="informal",
                modes=["one_to_one"],
                requires_mentor_approval=True,
                default_capacity=3,
                request_response_hours=72,
                status="active",
            ),
            start,
        )
    ]
    mentors = [f"mentor{i}" for i in range(members // 3)]
    mentees = [f"mentee{i}" for i in range(members - len(mentors))]
    for user in mentors + mentees:
        out.append(
            (
                ProfileChangedV1(
                    tenant_id=TENANT,
                    program_id=PROGRAM,
                    member_id=f"m-{user}",
                    user_id=user,
                    organization_id=ORG,
                    profile_version=1,
                    roles=["mentor"] if user.startswith("mentor") else ["mentee"],
                    mentor_approved=user.startswith("mentor"),
                    snapshot=ProfileSnapshot(display_name=user),
                ),
                start + rng.random() * 60 * DAY,
            )
        )
    for i, mentee in enumerate(mentees[: int(len(mentees) * 0.85)]):
        mentor = rng.choice(mentors)
        asked = start + (60 + rng.random() * 240) * DAY
        answered = asked + timedelta(hours=rng.uniform(1, 96))
        accepted = rng.random() < 0.7
        rid, mid = f"req-{i}", f"match-{i}"
        out.append(
            (
                MentorshipRequestedV1(
                    tenant_id=TENANT,
                    program_id=PROGRAM,
                    request_id=rid,
                    mentee=person(mentee),
                    mentor=person(mentor),
                ),
                asked,
            )
        )
        out.append(
            (
                MentorshipRespondedV1(
                    tenant_id=TENANT,
                    program_id=PROGRAM,
                    request_id=rid,
                    mentee=person(mentee),
                    mentor=person(mentor),
                    response="accepted" if accepted else "declined",
                    reason=None if accepted else "at_capacity",
                    match_id=mid if accepted else None,
                ),
                answered,
            )
        )
        if not accepted:
            continue
        out.append(
            (
                MatchMadeV1(
                    tenant_id=TENANT,
                    program_id=PROGRAM,
                    match_id=mid,
                    mode="one_to_one",
                    mentor=person(mentor),
                    mentees=[person(mentee)],
                    origin="request",
                    request_id=rid,
                ),
                answered,
            )
        )
        life = rng.uniform(20, 300)
        for n in range(rng.randint(0, 2 * MESSAGES_PER_MATCH)):
            sent = answered + rng.random() * life * DAY
            sender, to = (mentor, mentee) if n % 2 else (mentee, mentor)
            out.append(
                (
                    MessageSentV1(
                        tenant_id=TENANT,
                        program_id=PROGRAM,
                        conversation_id=f"c-{mid}",
                        message_id=f"{mid}-msg{n}",
                        match_id=mid,
                        sender_user_id=sender,
                        recipient_user_ids=[to],
                        sent_at=sent,
                        length=rng.randint(5, 500),
                    ),
                    sent,
                )
            )
        for n in range(rng.randint(0, 8)):
            starts = answered + rng.random() * life * DAY
            out.append(
                (
                    MeetingBookedV1(
                        tenant_id=TENANT,
                        program_id=PROGRAM,
                        meeting_id=f"{mid}-meet{n}",
                        match_id=mid,
                        mode="one_to_one",
                        organizer_user_id=mentor,
                        attendee_user_ids=[mentee],
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=1),
                        timezone="UTC",
                    ),
                    starts - 3 * DAY,
                )
            )
        if life > 30 and rng.random() < 0.5:
            for user, role in ((mentor, "mentor"), (mentee, "mentee")):
                out.append(
                    (
                        CheckInAnsweredV1(
                            tenant_id=TENANT,
                            answer_id=f"{mid}-{role}-30",
                            program_id=PROGRAM,
                            match_id=mid,
                            round="day_30",
                            respondent_user_id=user,
                            respondent_role=role,
                            score=rng.randint(1, 5),  # type: ignore[arg-type]
                            visibility="private",
                            answered_at=answered + 31 * DAY,
                        ),
                        answered + 31 * DAY,
                    )
                )
        for g in range(2):
            for version, progress in enumerate((0, rng.choice((30, 60, 100))), start=1):
                out.append(
                    (
                        GoalUpdatedV1(
                            tenant_id=TENANT,
                            program_id=PROGRAM,
                            match_id=mid,
                            goal_id=f"{mid}-g{g}",
                            plan_version=2 * g + version,
                            status="completed" if progress == 100 else "open",
                            progress_percent=progress,
                            due_on=date(2030, 1, 1),
                            updated_by_user_id=mentee,
                            updated_at=answered + version * DAY,
                        ),
                        answered + version * DAY,
                    )
                )
        if life < 200 and rng.random() < 0.4:
            out.append(
                (
                    MentorshipEndedV1(
                        tenant_id=TENANT,
                        program_id=PROGRAM,
                        match_id=mid,
                        mentor=person(mentor),
                        mentees=[person(mentee)],
                        reason=rng.choice(["completed", "mentee_left", "inactive"]),
                        ended_by="mentee",
                    ),
                    answered + life * DAY,
                )
            )
    out.sort(key=lambda item: item[1])
    return out


async def publish(infra: Infra, prefix: str, events: list[tuple[EventPayload, datetime]]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap,
        acks="all",
        linger_ms=20,
        max_batch_size=512 * 1024,
    )
    await producer.start()
    try:
        pending = []
        for payload, at in events:
            body, headers = to_kafka(new_event(payload, source="/bench", time=at))
            key = topic_for(payload).key_of(payload).encode()
            pending.append(
                await producer.send(prefix + payload.TOPIC, body, key=key, headers=list(headers))
            )
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def raw_consume(infra: Infra, topics: list[str], *, parse: bool) -> tuple[int, float]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        partitions = [
            TopicPartition(t, p)
            for t in topics
            for p in sorted(cluster.partitions_for_topic(t) or ())
        ]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        started = time.perf_counter()
        await consumer.seek_to_beginning(*partitions)
        remaining = {tp for tp, end in ends.items() if end > 0}
        count = 0
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=1000, max_records=5000)
            for tp, records in batches.items():
                for record in records:
                    if parse:
                        parse_payload(from_kafka(record.value or b"", record.headers or []))
                count += len(records)
                if records and records[-1].offset >= ends[tp] - 1:
                    remaining.discard(tp)
        return count, time.perf_counter() - started
    finally:
        await consumer.stop()


def iso_z(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")


def _ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


async def run() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with provide() as infra:
        run_id = uuid.uuid4().hex[:6]
        prefix = f"bench-ins-{run_id}."
        names = sorted({t for t, _ in topics_and_names()})
        await ensure_topics(infra.kafka_bootstrap, prefix=prefix, topics=tuple(map(topic, names)))
        generated = time.perf_counter()
        events = year_of_events(MEMBERS)
        await publish(infra, prefix, events)
        print(f"published {len(events)} events in {time.perf_counter() - generated:.1f} s")
        physical = [prefix + n for n in names]

        count, seconds = await raw_consume(infra, physical, parse=False)
        rows.append(
            {
                "case": "raw aiokafka consume (baseline)",
                "events": count,
                "seconds": seconds,
                "events_per_s": count / seconds,
                "ratio": 1.0,
            }
        )
        raw_rate = count / seconds
        count, seconds = await raw_consume(infra, physical, parse=True)
        rows.append(
            {
                "case": "raw consume + contract parse",
                "events": count,
                "seconds": seconds,
                "events_per_s": count / seconds,
                "ratio": count / seconds / raw_rate,
            }
        )

        settings = InsightsSettings(
            environment="test",
            mongo_url=infra.mongo_url,
            mongo_db=f"bench_insights_{run_id}",
            kafka_bootstrap=infra.kafka_bootstrap,
            topic_prefix=prefix,
            consumer_group_prefix=f"bench-{run_id}.",
            storage_profile=storage_profile(),
            nudge_scan_seconds=3600,  # type: ignore[arg-type]
        )
        runtime = build_runtime(settings)
        buckets = build_buckets(runtime, settings)
        replay = KafkaTopicReplay(settings, topics_and_names())
        started = time.perf_counter()
        done = await RebuildReadModel(replay=replay, buckets=buckets)()
        seconds = time.perf_counter() - started
        rows.append(
            {
                "case": "insights replay (rebuild: parse, fold, write, hand over)",
                "events": done.events,
                "seconds": seconds,
                "events_per_s": done.events / seconds,
                "ratio": done.events / seconds / raw_rate,
                "buckets": done.buckets,
                "fold_s": done.read_and_fold_seconds,
                "write_s": done.write_seconds,
                "hand_over_s": done.hand_over_seconds,
            }
        )

        ids = [
            i
            for kind in ("program", "members", "applications", "requests", "mentorships")
            for i in bucket_ids(TENANT, PROGRAM, kind)
        ]
        raw_reads = []
        collection = buckets.buckets
        for _ in range(REQUESTS):
            t = time.perf_counter()
            await asyncio.gather(*(collection.find_one(i) for i in ids))
            raw_reads.append(time.perf_counter() - t)
        raw_p50, raw_p95 = _ms(raw_reads)
        rows.append(
            {
                "case": f"read the program's {len(ids)} buckets from MongoDB (baseline)",
                "p50_ms": raw_p50,
                "p95_ms": raw_p95,
                "ratio": 1.0,
            }
        )
        await runtime.mongo.close()

        token = mint_token("bench-admin", TENANT, roles=["org_admin"], organization_id=ORG)
        headers = {"Authorization": f"Bearer {token}"}
        app = create_app(settings)
        reports = app.state.insights.reports
        projector = Projector(reports.buckets)
        sent = 0

        async def one_more_message() -> None:
            """What the consumer does with one new message-sent: one bucket changes."""
            nonlocal sent
            sent += 1
            match_id = matches[sent % len(matches)]
            now = datetime.now(UTC)
            payload = MessageSentV1(
                tenant_id=TENANT,
                program_id=PROGRAM,
                conversation_id=f"c-{match_id}",
                message_id=f"bench-more-{sent}",
                match_id=match_id,
                sender_user_id="bench-sender",
                recipient_user_ids=["bench-recipient"],
                sent_at=now,
                length=10,
            )
            assert await projector.project(payload, int(now.timestamp()))

        async with serve_in_process(app) as http:
            first = True
            matches = sorted(
                k
                for k, m in (await reports.state(TENANT, PROGRAM)).mentorships.items()
                if m["made"]
            )
            for report in ("health", "mentorships", "check-ins", "goals"):
                for fmt in ("json", "csv"):
                    timings: dict[str, list[float]] = {}
                    minute = int(time.time()) // 60 * 60
                    for case in ("cold", "changed", "later", "memoised"):
                        timings[case] = []
                        for n in range(REQUESTS):
                            params = {"format": fmt}
                            if case == "cold":  # the whole program computed, as before the parts
                                reports._memo.clear()
                                reports.parts.clear()
                            elif case == "changed":
                                await one_more_message()
                            if case == "later":  # nothing changed, the clock moved on
                                params["as_of"] = iso_z(minute + 60 * (n + 1))
                            elif case == "memoised":
                                params["as_of"] = iso_z(minute + 60 * REQUESTS)
                            t = time.perf_counter()
                            r = await http.get(
                                f"/v1/programs/{PROGRAM}/reports/{report}",
                                params=params,
                                headers=headers,
                            )
                            timings[case].append(time.perf_counter() - t)
                            assert r.status_code == 200, r.text
                    cold = timings["cold"][1:] if first else timings["cold"]
                    cold_p50, cold_p95 = _ms(cold)
                    changed_p50, changed_p95 = _ms(timings["changed"])
                    row = {
                        "case": f"GET reports/{report} ({fmt}), {MEMBERS} members",
                        "cold_p50_ms": cold_p50,
                        "cold_p95_ms": cold_p95,
                        "after_one_event_p50_ms": changed_p50,
                        "after_one_event_p95_ms": changed_p95,
                        "ratio_to_cold": changed_p50 / cold_p50,
                        "minute_later_p50_ms": _ms(timings["later"])[0],
                        "memoised_p50_ms": _ms(timings["memoised"])[0],
                        "ratio_to_raw_reads": changed_p50 / raw_p50,
                        "bytes": len(r.content),
                    }
                    if first:  # the buckets came from MongoDB into the writer's cache
                        row["first_ms"] = timings["cold"][0] * 1000
                        first = False
                    rows.append(row)
        client: AsyncMongoClient[Any] = AsyncMongoClient(infra.mongo_url)
        for db in (settings.mongo_db, settings.reports_db):
            await client.drop_database(db)
        await client.close()
    return rows
