"""The platform keeps its promises while processes die and brokers go away.

One run (module fixture): a private Kafka/FerretDB/MinIO instance, every registered
service as real processes (matching as two replicas), steady load from the registered
flows, and the bounded fault schedule ``make test`` runs (``CI``; about 3 min here): ``kill -9``
of every service and of one of matching's two replicas at once, Kafka stopped 8 s (30 s in
``make soak``), the MongoDB wire server stopped 4 s (15 s in the soak), and a consumer killed
between its effect and its offset commit in each service. Then the checker judges what
clients were told against the topics and the read models (see faultkit/checker.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from faultkit import registry
from faultkit.scenario import Result, Schedule, run

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

#: the bounded schedule `make test` runs (the long one is `make soak`)
CI = Schedule(warmup=2, between=2, kafka_outage=8, mongo_outage=4, storage_outage=4, cooldown=1)


@pytest.fixture(scope="module")
async def result(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Result]:
    outcome = await run(CI, tmp_path_factory.mktemp("fault-logs"))
    print(report(outcome))
    yield outcome


def report(r: Result) -> str:
    lines = [f"load {r.duration:.0f} s, setup {r.setup_seconds:.0f} s, ops/s {r.rates()}"]
    lines.append(f"phases (s): {r.phases}")
    for f in r.faults:
        lines.append(f"  {f.name}: recovered {f.recovered} s after healing; {f.notes}")
    for finding in r.findings[:40]:
        lines.append(f"  [{finding.category}] {finding.detail}")
    return "\n".join(lines)


def _none(r: Result, category: str) -> None:
    found = r.by(category)
    assert not found, f"{len(found)} {category}:\n" + "\n".join(f.detail for f in found[:20])


def test_load_was_held_on_every_flow(result: Result) -> None:
    rates = result.rates()
    assert set(rates) == set(registry.FLOWS)
    for name, flow in registry.FLOWS.items():
        assert rates[name] >= flow.rate * 0.5, (name, rates[name])
    assert len(result.ledger.acked("profile-edit")) > 50
    assert len(result.ledger.acked("match")) > 10
    for kind in ("message", "booking", "upload"):  # the flows of messaging, scheduling, documents
        assert len(result.ledger.acked(kind)) > 10, kind


def test_no_acknowledged_write_is_lost(result: Result) -> None:
    _none(result, "lost")


def test_no_effect_happens_twice(result: Result) -> None:
    _none(result, "duplicate")


def test_no_key_sees_its_events_out_of_order(result: Result) -> None:
    _none(result, "order")


def test_no_server_error_and_every_error_is_problem_json(result: Result) -> None:
    _none(result, "5xx")


def test_read_models_equal_their_rebuild_by_replay(result: Result) -> None:
    _none(result, "read-model")


def test_every_fault_struck_and_the_platform_recovered(result: Result) -> None:
    killed = " ".join(f.name for f in result.faults if f.name.startswith("kill -9"))
    for service in registry.SERVICES:
        assert service in killed, killed
    for fault in result.faults:
        assert fault.recovered is not None, fault
        if "between effect and commit" in fault.name:  # each failpoint was reached
            assert all(fault.notes["died_by_itself"].values()), fault


def test_kafka_down_writes_accepted_and_replicas_stay_ready(result: Result) -> None:
    (fault,) = [f for f in result.faults if f.name.startswith("Kafka")]
    assert fault.notes["probe_edit_accepted"]
    assert fault.notes["edits_accepted_during"] > 10
    assert all(seen == [200] for seen in fault.notes["readiness"].values()), fault.notes


def test_mongodb_down_answers_503_retry_after_and_readiness_goes_red_then_green(
    result: Result,
) -> None:
    (fault,) = [f for f in result.faults if f.name.startswith("MongoDB")]
    assert all(503 in seen for seen in fault.notes["readiness_down"].values()), fault.notes
    assert fault.notes["ready_again_seconds"] < 60
    window = [o for o in result.ledger.outcomes if fault.struck <= o.at <= fault.healed]
    unavailable = [o for o in window if o.status == 503]
    assert unavailable, "no request saw the database outage"
    assert all(o.retry_after and o.problem_json for o in unavailable)


def test_minio_down_mid_upload_answers_503_and_leaves_nothing_behind(result: Result) -> None:
    (fault,) = [f for f in result.faults if f.name.startswith("MinIO")]
    answer = fault.notes["interrupted_upload"]
    assert answer["status"] == 503 and answer["retry_after"] and answer["problem_json"], answer
    left = fault.notes["left_behind"]
    assert left == {"documents": [], "large_objects": [], "pending_multipart": []}, left
