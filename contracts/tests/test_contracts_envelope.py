"""CloudEvents envelope and its Kafka binary-mode binding."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from mentorship_contracts import (
    CloudEvent,
    InvalidEnvelope,
    MatchMadeV1,
    from_kafka,
    new_event,
    parse_payload,
    to_kafka,
)
from mentorship_contracts.envelope import Headers

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def make_event(**overrides: object) -> CloudEvent:
    fields: dict[str, object] = {
        "id": "evt-1",
        "source": "/mentorship/matching",
        "type": "mentorship.match.made",
        "subject": "match-1",
        "time": datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC),
        "dataschema": "urn:mentorship:event:match-made:v1",
        "tenantid": "acme",
        "dataversion": 1,
        "traceparent": TRACEPARENT,
        "tracestate": "vendor=abc,other=1",
        "data": {"tenant_id": "acme", "nested": {"x": [1, 2.5, None, True, "é"]}},
    }
    fields.update(overrides)
    return CloudEvent.model_validate(fields)


def test_round_trip_through_headers_is_exact() -> None:
    event = make_event()
    body, headers = to_kafka(event)

    decoded = from_kafka(body, headers)

    assert decoded == event
    assert decoded.model_dump() == event.model_dump()
    assert decoded.traceparent == TRACEPARENT
    assert decoded.tracestate == "vendor=abc,other=1"


def test_binary_mode_headers() -> None:
    body, headers = to_kafka(make_event())
    names = [name for name, _ in headers]
    assert names == [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_subject",
        "ce_time",
        "ce_dataschema",
        "ce_tenantid",
        "ce_dataversion",
        "ce_traceparent",
        "ce_tracestate",
        "content-type",
    ]
    values = dict(headers)
    assert values["ce_time"] == b"2024-05-01T10:00:00.123456Z"
    assert values["ce_dataversion"] == b"1"
    assert values["content-type"] == b"application/json"
    assert all(isinstance(v, bytes) for v in values.values())
    assert json.loads(body) == make_event().data


def test_optional_attributes_are_left_out_and_stay_none() -> None:
    event = make_event(subject=None, dataschema=None, traceparent=None, tracestate=None)
    body, headers = to_kafka(event)
    assert not {"ce_subject", "ce_dataschema", "ce_traceparent", "ce_tracestate"} & {
        name for name, _ in headers
    }
    assert from_kafka(body, headers) == event


def test_time_is_normalised_to_utc() -> None:
    paris = timezone(timedelta(hours=2))
    event = make_event(time=datetime(2024, 5, 1, 12, 0, tzinfo=paris))
    assert event.time.utcoffset() == timedelta(0)
    assert event.time == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert from_kafka(*to_kafka(event)) == event


def test_accepts_iso_string_time_like_the_outbox_stores_it() -> None:
    event = make_event(time="2024-05-01T12:00:00.5+02:00")
    assert event.time == datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)


def test_naive_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone"):
        make_event(time=datetime(2024, 5, 1, 10, 0))


@pytest.mark.parametrize(
    "as_headers",
    [
        lambda hs: hs,  # aiokafka: sequence of (str, bytes)
        lambda hs: {k: v for k, v in hs},  # mapping of bytes
        lambda hs: {k: v.decode() for k, v in hs},  # FastStream's msg.headers: mapping of str
        lambda hs: [(k.upper(), v) for k, v in hs],  # header names are case-insensitive
    ],
)
def test_accepts_every_header_shape(as_headers: Callable[[Headers], Headers]) -> None:
    event = make_event()
    body, headers = to_kafka(event)
    assert from_kafka(body, as_headers(headers)) == event


def test_ignores_foreign_headers() -> None:
    body, headers = to_kafka(make_event())
    headers = [*headers, ("correlation_id", b"xyz"), ("x-custom", b"\xff")]
    assert from_kafka(body, headers) == make_event()


def test_new_event_and_parse_payload_round_trip(match_made: MatchMadeV1) -> None:
    event = new_event(match_made, source="/mentorship/matching", traceparent=TRACEPARENT)
    assert event.type == "mentorship.match.made"
    assert event.dataversion == 1
    assert event.dataschema == "urn:mentorship:event:match-made:v1"
    assert event.subject == "match-1"  # the topic key: the Kafka record key
    assert event.tenantid == "acme"

    decoded = from_kafka(*to_kafka(event))

    assert decoded == event
    assert parse_payload(decoded) == match_made


def without(headers: list[tuple[str, bytes]], *names: str) -> list[tuple[str, bytes]]:
    return [(k, v) for k, v in headers if k not in names]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("ce_id", "missing header ce_id"),
        ("ce_type", "missing header ce_type"),
        ("ce_tenantid", "missing header ce_tenantid"),
        ("ce_source", "missing header ce_source"),
        ("ce_time", "missing header ce_time"),
        ("ce_dataversion", "missing header ce_dataversion"),
        ("ce_specversion", "missing header ce_specversion"),
    ],
)
def test_rejects_missing_required_header(missing: str, message: str) -> None:
    body, headers = to_kafka(make_event())
    with pytest.raises(InvalidEnvelope) as caught:
        from_kafka(body, without(headers, missing))
    assert message in str(caught.value)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(message)
    assert isinstance(caught.value, ValueError)


def test_names_every_problem_at_once() -> None:
    body, headers = to_kafka(make_event())
    with pytest.raises(InvalidEnvelope) as caught:
        from_kafka(body, without(headers, "ce_id", "ce_type", "ce_tenantid"))
    assert caught.value.problems == [
        "missing header ce_id",
        "missing header ce_type",
        "missing header ce_tenantid",
    ]


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("ce_time", b"yesterday", "header ce_time"),
        ("ce_time", b"2024-05-01T10:00:00", "header ce_time"),  # no offset
        ("ce_dataversion", b"one", "header ce_dataversion"),
        ("ce_dataversion", b"0", "header ce_dataversion"),
        ("ce_specversion", b"0.3", "header ce_specversion"),
        ("ce_tenantid", b"", "header ce_tenantid"),
        ("ce_id", b"\xff\xfe", "header ce_id is not valid UTF-8"),
        ("content-type", b"application/xml", "unsupported content-type"),
    ],
)
def test_rejects_invalid_header(header: str, value: bytes, message: str) -> None:
    body, headers = to_kafka(make_event())
    with pytest.raises(InvalidEnvelope, match=message):
        from_kafka(body, [*without(headers, header), (header, value)])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (None, "empty body"),
        (b"{not json", "body is not valid JSON"),
        (b"[1, 2]", "body is a JSON list"),
    ],
)
def test_rejects_bad_body(body: bytes | None, message: str) -> None:
    _, headers = to_kafka(make_event())
    with pytest.raises(InvalidEnvelope, match=message):
        from_kafka(body, headers)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("ce_traceparent", b"not-a-traceparent"),
        ("ce_traceparent", b"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
        ("ce_traceparent", b"00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
        ("ce_traceparent", b"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        ("ce_tracestate", b"k=" + b"v" * 9000),
    ],
)
def test_invalid_trace_context_is_dropped_not_fatal(header: str, value: bytes) -> None:
    # W3C Trace Context: ignore a bad trace header; the event itself is still good.
    body, headers = to_kafka(make_event())
    event = from_kafka(body, [*without(headers, header), (header, value)])
    assert getattr(event, header.removeprefix("ce_")) is None
    assert event.id == "evt-1"


def test_rejects_duplicate_header() -> None:
    body, headers = to_kafka(make_event())
    with pytest.raises(InvalidEnvelope, match="duplicate header ce_id"):
        from_kafka(body, [*headers, ("ce_id", b"evt-2")])


def test_reads_structured_mode_from_other_sdks() -> None:
    event = make_event()
    document = {
        **event.model_dump(mode="json", exclude_none=True),
        "time": "2024-05-01T10:00:00.123456Z",
    }
    headers = [("content-type", b"application/cloudevents+json; charset=utf-8")]
    assert from_kafka(json.dumps(document).encode(), headers) == event

    del document["tenantid"]
    with pytest.raises(InvalidEnvelope, match="missing attribute tenantid"):
        from_kafka(json.dumps(document).encode(), headers)


def test_envelope_rejects_unknown_attributes_and_is_frozen() -> None:
    with pytest.raises(ValueError, match="extra"):
        make_event(tenant="acme")
    event = make_event()
    with pytest.raises(ValueError, match="frozen"):
        event.id = "other"  # type: ignore[misc]
