"""Repeated client-library errors are thinned out; the services' own lines never are."""

from __future__ import annotations

import logging

from chassis.logs import RepeatFilter


def _record(name: str, msg: str, at: float) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": name, "msg": msg, "levelno": logging.ERROR})
    record.created = at
    return record


def test_one_identical_kafka_error_per_window_then_the_count_of_the_dropped() -> None:
    f = RepeatFilter(window=10.0)
    fetch = "Failed fetch messages from 1: KafkaConnectionError"
    passed = [f.filter(_record("aiokafka.consumer.fetcher", fetch, t * 0.01)) for t in range(500)]
    assert passed.count(True) == 1 and passed[0]
    other = _record("aiokafka", "Unable to update metadata from [1]", 1.0)
    assert f.filter(other)  # another message has its own window
    later = _record("aiokafka.consumer.fetcher", fetch, 10.5)
    assert f.filter(later) and later.repeated == 499


def test_the_services_own_lines_all_pass() -> None:
    f = RepeatFilter(window=10.0)
    lines = [
        _record("chassis.outbox", "outbox relay failed; retrying", t * 0.01) for t in range(50)
    ]
    assert all(f.filter(r) for r in lines)
