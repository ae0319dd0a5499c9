"""Each service's /asyncapi.json: only the topics it publishes and consumes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mentorship_contracts import ALL_TOPICS
from mentorship_contracts.asyncapi import load_asyncapi, service_asyncapi


def refs(node: Any) -> set[str]:
    text = json.dumps(node)
    return {part.split('"')[0] for part in text.split('"$ref": "')[1:]}


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


@pytest.mark.parametrize(
    ("service", "consumes"),
    [
        ("matching", ["profile-changed", "program-changed", "message-sent"]),
        ("profiles", ["match-made", "mentorship-ended"]),
        ("messaging", []),
    ],
)
def test_a_service_document_lists_what_it_publishes_and_consumes(
    service: str, consumes: list[str]
) -> None:
    document = service_asyncapi(service, consumes)
    produced = {s.name for s in ALL_TOPICS if s.producer == service}
    assert set(document["channels"]) == produced | set(consumes)
    actions = {
        (op["channel"]["$ref"].rsplit("/", 1)[1], op["action"])
        for op in document["operations"].values()
    }
    assert actions == {(t, "send") for t in produced} | {(t, "receive") for t in consumes}
    for ref in refs(document):  # nothing points outside the cut
        resolve(document, ref)
    full = load_asyncapi()
    assert len(document["components"]["schemas"]) < len(full["components"]["schemas"])
    assert document["asyncapi"] == full["asyncapi"]
    assert document["info"]["title"].startswith(service)


def test_the_payload_schemas_of_kept_topics_come_along() -> None:
    document = service_asyncapi("matching", ["profile-changed"])
    schemas = document["components"]["schemas"]
    assert "ProfileChangedV1" in schemas and "ProfileSnapshot" in schemas  # nested, kept
    assert "MessageSentV1" not in schemas and "MeetingBookedV1" not in schemas


def test_the_full_catalogue_is_untouched() -> None:
    before = json.dumps(load_asyncapi(), sort_keys=True)
    service_asyncapi("profiles", ["match-made"])
    assert json.dumps(load_asyncapi(), sort_keys=True) == before
    assert [c for c in load_asyncapi()["channels"]] == [s.name for s in ALL_TOPICS]


def test_a_consumed_name_outside_the_catalogue_is_left_out() -> None:
    document = service_asyncapi("profiles", ["match-made", "match-made.dlq"])
    assert "match-made.dlq" not in document["channels"]
