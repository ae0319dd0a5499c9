"""The AsyncAPI 3.0 document of the platform's topics.

:func:`load_asyncapi` reads the committed ``asyncapi.json`` (package data; needs nothing
but the standard library). :func:`build_asyncapi` regenerates it from the code with
FastStream, which is imported lazily: FastStream is a development dependency of this
package, not a runtime one.

``python -m mentorship_contracts.asyncapi --write`` regenerates the committed file;
``--check`` exits 1 when it is stale; with neither, the document goes to stdout.

:func:`service_asyncapi` cuts one service's view out of the catalogue: the channels it
publishes (``producer`` in the topic registry) with their ``send`` operations, the channels
it consumes with ``receive`` operations, and only the messages and schemas those use. Each
service serves its own at ``/asyncapi.json``.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import operator
import sys
import warnings
from collections.abc import Iterable, Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from .envelope import CONTENT_TYPE_HEADER, HEADER_PREFIX, JSON_CONTENT_TYPE
from .topics import ALL_TOPICS, DEAD_LETTER_SUFFIX, TopicSpec

__all__ = [
    "ASYNCAPI_FILE",
    "build_asyncapi",
    "load_asyncapi",
    "main",
    "render_asyncapi",
    "service_asyncapi",
]

ASYNCAPI_FILE = "asyncapi.json"
TITLE = "Mentorship platform events"
SERVER = "localhost:9092"
DESCRIPTION = f"""\
Integration events of the mentorship platform, one kind of fact per topic.

Every record is a CloudEvents 1.0 event in the Kafka protocol binding, binary content \
mode: the value is the JSON `data` described below, the attributes are `{HEADER_PREFIX}*` \
headers and `content-type` is `{JSON_CONTENT_TYPE}`. The record key is the aggregate id \
named in each message's key binding (also the CloudEvents `subject`), so events of one \
aggregate stay in order. `ce_type` and `ce_dataversion` select the payload schema; \
`ce_dataschema` is `urn:mentorship:event:<topic>:v<version>`.

Payloads only evolve compatibly (optional fields are added; consumers ignore fields they \
do not know). A breaking change is a new version on the same topic.

A consumer that cannot process a record parks it on `<topic>{DEAD_LETTER_SUFFIX}` with \
the original headers and `dlq-*` headers describing the error.

The server below is the local development stack; each installation has its own \
bootstrap servers, and tests prefix topic names to isolate themselves.
"""


def _package_version() -> str:
    try:
        return metadata.version("mentorship-contracts")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


def _headers_schema(spec: TopicSpec) -> dict[str, Any]:
    def header(description: str, **schema: Any) -> dict[str, Any]:
        return {"type": "string", "description": description, **schema}

    types = sorted({p.EVENT_TYPE for p in spec.payloads})
    versions = sorted({str(p.VERSION) for p in spec.payloads})
    schemas = sorted({p.dataschema() for p in spec.payloads})
    p = HEADER_PREFIX
    return {
        "type": "object",
        "properties": {
            f"{p}specversion": header("CloudEvents version.", const="1.0"),
            f"{p}id": header("Event id; consumers deduplicate on it.", maxLength=256),
            f"{p}source": header("URI reference of the producing service.", maxLength=1024),
            f"{p}type": header("Event type.", enum=types),
            f"{p}subject": header(f"The {spec.key}; equal to the record key.", maxLength=1024),
            f"{p}time": header("When it happened (RFC 3339, UTC).", format="date-time"),
            f"{p}dataschema": header("Schema of the payload.", enum=schemas),
            f"{p}tenantid": header("Tenant the event belongs to.", maxLength=128),
            f"{p}dataversion": header("Schema version of the payload.", enum=versions),
            f"{p}traceparent": header("W3C trace context of the producer (ignored if invalid)."),
            f"{p}tracestate": header("W3C trace state (ignored if invalid).", maxLength=8192),
            CONTENT_TYPE_HEADER: header("Media type of the value.", const=JSON_CONTENT_TYPE),
        },
        "required": [
            f"{p}specversion",
            f"{p}id",
            f"{p}source",
            f"{p}type",
            f"{p}time",
            f"{p}tenantid",
            f"{p}dataversion",
            CONTENT_TYPE_HEADER,
        ],
    }


def _topic_configuration(spec: TopicSpec) -> dict[str, Any]:
    # Kafka channel binding 0.4.0 knows these two; the full config is in x-kafka-config.
    return {
        "cleanup.policy": spec.cleanup_policy.split(","),
        "retention.ms": spec.retention_ms,
    }


def build_asyncapi() -> dict[str, Any]:
    """Generate the AsyncAPI document with FastStream: one publisher per topic."""
    try:
        from faststream.kafka import KafkaBroker
        from faststream.specification import AsyncAPI
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "build_asyncapi() needs FastStream with Kafka support (a development dependency "
            "of mentorship-contracts); load_asyncapi() reads the committed document without it"
        ) from exc

    broker = KafkaBroker(SERVER, specification_url=SERVER, description="Local development stack")
    for spec in ALL_TOPICS:
        models = spec.payloads
        schema: Any = models[0] if len(models) == 1 else _union(models)
        broker.publisher(spec.name, title=spec.name, description=spec.description, schema=schema)

    app = AsyncAPI(broker, title=TITLE, version=_package_version(), description=DESCRIPTION)
    with warnings.catch_warnings():
        # FastStream warns when two schemas share a name: that would corrupt the document.
        warnings.simplefilter("error", RuntimeWarning)
        document: dict[str, Any] = app.to_specification().to_jsonable()
    _describe_envelope(document)
    return _in_stable_order(document)


def _union(models: Sequence[type]) -> Any:
    return functools.reduce(operator.or_, models)


def _describe_envelope(document: dict[str, Any]) -> None:
    """Add what FastStream does not model: CloudEvents headers, record key, topic config."""
    messages = document["components"]["messages"]
    for spec in ALL_TOPICS:
        channel = document["channels"][spec.name]
        kafka = channel.setdefault("bindings", {}).setdefault("kafka", {})
        kafka["partitions"] = spec.partitions
        kafka["topicConfiguration"] = _topic_configuration(spec)
        channel["x-kafka-config"] = spec.kafka_config()
        channel["x-producer"] = spec.producer
        channel["x-dead-letter-topic"] = spec.name + DEAD_LETTER_SUFFIX
        for reference in channel["messages"].values():
            message = messages[reference["$ref"].rsplit("/", 1)[1]]
            message["name"] = spec.name
            message["contentType"] = JSON_CONTENT_TYPE
            message["summary"] = spec.description.split(". ")[0].rstrip(".") + "."
            message["correlationId"] = {
                "description": "The CloudEvents id.",
                "location": f"$message.header#/{HEADER_PREFIX}id",
            }
            message["headers"] = _headers_schema(spec)
            message["bindings"] = {
                "kafka": {
                    "key": {"type": "string", "description": f"The payload's {spec.key}."},
                    "bindingVersion": "0.4.0",
                }
            }
            message["x-event-types"] = [
                {"type": p.EVENT_TYPE, "version": p.VERSION, "dataschema": p.dataschema()}
                for p in spec.payloads
            ]


def _in_stable_order(document: dict[str, Any]) -> dict[str, Any]:
    """FastStream's channel order varies between runs: use the topic registry's order."""
    order = {spec.name: index for index, spec in enumerate(ALL_TOPICS)}

    def by_topic(mapping: dict[str, Any]) -> dict[str, Any]:
        return dict(
            sorted(mapping.items(), key=lambda kv: (order.get(kv[0].split(":")[0], 0), kv[0]))
        )

    document["channels"] = by_topic(document["channels"])
    document["operations"] = by_topic(document["operations"])
    components = document["components"]
    components["messages"] = by_topic(components["messages"])
    components["schemas"] = dict(sorted(components["schemas"].items()))
    return document


def render_asyncapi(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_asyncapi() -> dict[str, Any]:
    """The committed AsyncAPI document (no FastStream needed)."""
    text = resources.files(__package__).joinpath(ASYNCAPI_FILE).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def service_asyncapi(
    service: str, consumes: Iterable[str], document: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The part of the catalogue (``document``, default the committed one) that concerns
    ``service``: the topics it publishes and the topics in ``consumes`` (unprefixed contract
    names), the messages on them and the schemas those refer to. A consumed name the
    catalogue lacks (a dead-letter topic) is left out."""
    full = document if document is not None else load_asyncapi()
    consumed = set(consumes)
    channels = full["channels"]
    produced = [name for name, c in channels.items() if c.get("x-producer") == service]
    kept = [name for name in channels if name in consumed or name in produced]

    out = copy.deepcopy({k: v for k, v in full.items() if k not in ("channels", "operations")})
    out["info"]["title"] = f"{service} service events"
    out["info"]["description"] = (
        f"The topics the {service} service publishes and consumes, cut from the platform's "
        "catalogue (every topic: `python -m mentorship_contracts.asyncapi`).\n\n"
        + full["info"].get("description", "")
    )
    out["channels"] = {name: copy.deepcopy(channels[name]) for name in kept}
    operations: dict[str, Any] = {}
    for name, operation in full["operations"].items():
        channel = operation["channel"]["$ref"].rsplit("/", 1)[1]
        if channel in produced:
            operations[name] = copy.deepcopy(operation)
    for name in kept:
        if name in consumed:
            channel = channels[name]
            operations[f"{name}:receive"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{name}"},
                "messages": [
                    {"$ref": f"#/channels/{name}/messages/{key}"} for key in channel["messages"]
                ],
            }
    out["operations"] = operations

    components = full.get("components", {})
    messages = {
        ref.rsplit("/", 1)[1]
        for name in kept
        for ref in (m["$ref"] for m in channels[name]["messages"].values())
    }
    out["components"] = {
        **copy.deepcopy({k: v for k, v in components.items() if k not in ("messages", "schemas")}),
        "messages": {
            k: copy.deepcopy(v) for k, v in components.get("messages", {}).items() if k in messages
        },
    }
    schemas = components.get("schemas", {})
    wanted: set[str] = set()
    pending = _schema_refs(out["components"]["messages"])
    while pending:
        name = pending.pop()
        if name in wanted or name not in schemas:
            continue
        wanted.add(name)
        pending |= _schema_refs(schemas[name])
    out["components"]["schemas"] = {k: copy.deepcopy(v) for k, v in schemas.items() if k in wanted}
    return out


def _schema_refs(node: Any) -> set[str]:
    """Names of the ``#/components/schemas/...`` that ``node`` refers to (not transitively)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                found.add(ref.rsplit("/", 1)[1])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mentorship_contracts.asyncapi",
        description="Generate the AsyncAPI document of the platform's topics.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--write", action="store_true", help=f"rewrite the package's {ASYNCAPI_FILE}"
    )
    group.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale")
    args = parser.parse_args(argv)

    text = render_asyncapi(build_asyncapi())
    target = Path(__file__).with_name(ASYNCAPI_FILE)
    if args.write:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    elif args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} is stale: run with --write", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
