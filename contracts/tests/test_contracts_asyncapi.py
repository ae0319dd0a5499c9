"""The committed AsyncAPI document."""

from __future__ import annotations

from typing import Any

from mentorship_contracts import ALL_TOPICS
from mentorship_contracts.asyncapi import build_asyncapi, load_asyncapi, render_asyncapi


def resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = document
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def test_committed_document_is_not_stale() -> None:
    fresh = build_asyncapi()
    assert load_asyncapi() == fresh, "run: python -m mentorship_contracts.asyncapi --write"


def test_generation_is_deterministic() -> None:
    assert render_asyncapi(build_asyncapi()) == render_asyncapi(build_asyncapi())


def test_lists_every_topic_with_its_payloads() -> None:
    document = load_asyncapi()
    assert document["asyncapi"].startswith("3.")
    assert [c["address"] for c in document["channels"].values()] == [s.name for s in ALL_TOPICS]
    for spec in ALL_TOPICS:
        channel = document["channels"][spec.name]
        assert channel["description"] == spec.description
        assert channel["bindings"]["kafka"]["partitions"] == spec.partitions
        assert channel["x-kafka-config"] == spec.kafka_config()
        (reference,) = channel["messages"].values()
        message = resolve(document, reference["$ref"])
        assert message["contentType"] == "application/json"
        assert "ce_tenantid" in message["headers"]["required"]
        assert message["headers"]["properties"]["ce_type"]["enum"] == [
            p.EVENT_TYPE for p in spec.payloads
        ]
        payload = resolve(document, message["payload"]["$ref"])
        (model,) = spec.payloads
        assert payload["x-event-type"] == model.EVENT_TYPE
        assert set(payload["properties"]) == set(model.model_fields)
