"""CloudEvents 1.0 envelope and its Kafka protocol binding.

We publish in *binary content mode*: the record value is the JSON of ``data`` and every
attribute travels as a ``ce_<name>`` header (``datacontenttype`` as ``content-type``), so
any CloudEvents SDK can read our topics. :func:`from_kafka` also reads *structured mode*
records (``content-type: application/cloudevents+json``) written by such SDKs.

Extensions used by the platform (lower-case alphanumeric, as CloudEvents requires):
``tenantid`` (required), ``dataversion`` (schema version of ``data``), and the W3C trace
context ``traceparent`` / ``tracestate`` (an invalid one is dropped, as W3C Trace Context
prescribes, rather than failing the event). The Kafka record key is the event ``subject``
(the aggregate id), which keeps per-aggregate order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    ValidationError,
    field_validator,
)

__all__ = [
    "CONTENT_TYPE_HEADER",
    "JSON_CONTENT_TYPE",
    "CloudEvent",
    "Headers",
    "InvalidEnvelope",
    "from_kafka",
    "to_kafka",
]

JSON_CONTENT_TYPE: Final = "application/json"
STRUCTURED_CONTENT_TYPE: Final = "application/cloudevents+json"
CONTENT_TYPE_HEADER: Final = "content-type"
HEADER_PREFIX: Final = "ce_"

#: Kafka headers as aiokafka gives them (a sequence of pairs) or as a plain mapping.
Headers = Mapping[str, bytes | str | None] | Iterable[tuple[str, bytes | str | None]]

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-[0-9a-zA-Z._-]+)*$")
_MAX_TRACESTATE = 8192  # 32 list members of up to 256 + 256 characters fit


class InvalidEnvelope(ValueError):
    """A Kafka record is not a valid CloudEvent of this platform.

    ``problems`` lists each missing or invalid header/attribute; the message joins them,
    so it is fit for a dead-letter header as is.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid CloudEvent: " + "; ".join(problems))


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event with the platform's extensions.

    ``time`` is normalised to UTC so that an envelope survives the round trip through
    Kafka headers unchanged.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    type: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    subject: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = None
    time: AwareDatetime
    specversion: Literal["1.0"] = "1.0"
    datacontenttype: Literal["application/json"] = JSON_CONTENT_TYPE
    dataschema: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = None
    tenantid: Annotated[
        str,
        StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"),
    ]
    dataversion: Annotated[int, Field(ge=1)]
    traceparent: str | None = None
    tracestate: str | None = None
    data: dict[str, JsonValue]

    @field_validator("traceparent", mode="before")
    @classmethod
    def _valid_traceparent_or_none(cls, value: object) -> str | None:
        # W3C Trace Context: an invalid traceparent is ignored (a new trace starts); it
        # must not make the event itself invalid and send it to a dead-letter topic.
        if not isinstance(value, str) or len(value) > 256 or not _TRACEPARENT.match(value):
            return None
        version, trace_id, parent_id = value.split("-")[:3]
        if version == "ff" or set(trace_id) == {"0"} or set(parent_id) == {"0"}:
            return None
        return value

    @field_validator("tracestate", mode="before")
    @classmethod
    def _bounded_tracestate_or_none(cls, value: object) -> str | None:
        if isinstance(value, str) and value and len(value) <= _MAX_TRACESTATE:
            return value
        return None

    @field_validator("time")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


# Attribute order of the emitted headers (optional ones are left out when unset).
_HEADER_ATTRIBUTES: Final = (
    "specversion",
    "id",
    "source",
    "type",
    "subject",
    "time",
    "dataschema",
    "tenantid",
    "dataversion",
    "traceparent",
    "tracestate",
)


def _format_time(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` suffix (what CloudEvents SDKs emit)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def to_kafka(event: CloudEvent) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Encode ``event`` for Kafka in binary content mode: ``(value, headers)``.

    Use ``event.subject`` as the record key.
    """
    headers: list[tuple[str, bytes]] = []
    for attribute in _HEADER_ATTRIBUTES:
        value = getattr(event, attribute)
        if value is None:
            continue
        text = _format_time(value) if isinstance(value, datetime) else str(value)
        headers.append((HEADER_PREFIX + attribute, text.encode()))
    headers.append((CONTENT_TYPE_HEADER, event.datacontenttype.encode()))
    return _json_bytes(event.data), headers


def _header_items(headers: Headers) -> Iterable[tuple[str, bytes | str | None]]:
    if isinstance(headers, Mapping):
        return headers.items()
    return headers


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def from_kafka(body: bytes | None, headers: Headers) -> CloudEvent:
    """Decode a Kafka record into a validated :class:`CloudEvent`.

    Raises :class:`InvalidEnvelope` naming every missing or invalid header.
    """
    problems: list[str] = []
    attributes: dict[str, Any] = {}
    content_type: str | None = None
    for raw_name, raw_value in _header_items(headers):
        name = raw_name.lower()
        if name != CONTENT_TYPE_HEADER and not name.startswith(HEADER_PREFIX):
            continue  # not ours (e.g. FastStream's correlation_id)
        try:
            text = raw_value.decode() if isinstance(raw_value, bytes) else (raw_value or "")
        except UnicodeDecodeError:
            problems.append(f"header {raw_name} is not valid UTF-8")
            continue
        if name == CONTENT_TYPE_HEADER:
            content_type = text
            continue
        attribute = name.removeprefix(HEADER_PREFIX)
        if attribute in attributes:
            problems.append(f"duplicate header {raw_name}")
        attributes[attribute] = text

    if content_type and _media_type(content_type) == STRUCTURED_CONTENT_TYPE:
        return _from_structured(body, problems)
    return _from_binary(body, attributes, content_type, problems)


def _from_binary(
    body: bytes | None,
    attributes: dict[str, Any],
    content_type: str | None,
    problems: list[str],
) -> CloudEvent:
    if "specversion" not in attributes:
        problems.append("missing header ce_specversion (not a binary-mode CloudEvent)")
    if content_type and _media_type(content_type) != JSON_CONTENT_TYPE:
        problems.append(f"unsupported content-type {content_type!r}; expected {JSON_CONTENT_TYPE}")
    attributes.pop("datacontenttype", None)  # carried by content-type in this binding
    known = {name: value for name, value in attributes.items() if name in _HEADER_ATTRIBUTES}
    data = _decode_body(body, problems)
    if data is not None:
        known["data"] = data
    return _validate(
        known,
        problems,
        lambda attr: "body" if attr == "data" else f"header {HEADER_PREFIX}{attr}",
        body_reported=data is None,
    )


def _from_structured(body: bytes | None, problems: list[str]) -> CloudEvent:
    document = _decode_body(body, problems)
    if document is None:
        raise InvalidEnvelope(problems)
    if "data_base64" in document:
        problems.append("attribute data_base64: binary data is not supported")
    known = {k: v for k, v in document.items() if k in {*_HEADER_ATTRIBUTES, "data"}}
    if "datacontenttype" in document and _media_type(str(document["datacontenttype"])) != (
        JSON_CONTENT_TYPE
    ):
        problems.append(f"unsupported datacontenttype {document['datacontenttype']!r}")
    if "specversion" not in document:
        problems.append("missing attribute specversion")
    return _validate(known, problems, lambda attr: f"attribute {attr}", body_reported=False)


def _decode_body(body: bytes | None, problems: list[str]) -> dict[str, Any] | None:
    if not body:
        problems.append("empty body (expected a JSON object)")
        return None
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(f"body is not valid JSON: {exc}")
        return None
    if not isinstance(value, dict):
        problems.append(f"body is a JSON {type(value).__name__}, expected an object")
        return None
    return value


def _validate(
    values: dict[str, Any],
    problems: list[str],
    label: Callable[[str], str],
    *,
    body_reported: bool,
) -> CloudEvent:
    event: CloudEvent | None = None
    try:
        event = CloudEvent.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            field = str(loc[0]) if loc else "?"
            if field == "data" and body_reported:
                continue
            where = label(field)
            if field == "data" and len(loc) > 1:
                where += " at " + ".".join(str(part) for part in loc[1:])
            if error["type"] == "missing":
                problems.append(f"missing {where}")
            else:
                problems.append(f"{where}: {error['msg']}")
    if problems or event is None:
        raise InvalidEnvelope(problems or ["invalid envelope"])
    return event
