"""What a typed consumer lets through to its handler (pure: no broker)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chassis.consumers import PermanentError, typed
from mentorship_contracts.envelope import CloudEvent
from mentorship_contracts.events.matching import MatchMadeV1
from mentorship_contracts.events.messaging import MessageSentV1


def _match(tenant: str = "acme") -> dict[str, Any]:
    return {
        "tenant_id": tenant,
        "match_id": "x1",
        "program_id": "p1",
        "mode": "one_to_one",
        "mentor": {"member_id": "m1", "user_id": "u1"},
        "mentees": [{"member_id": "m2", "user_id": "u2"}],
        "origin": "request",
    }


def _envelope(data: dict[str, Any], *, tenant: str = "acme", **over: Any) -> CloudEvent:
    values: dict[str, Any] = {
        "id": "e1",
        "source": "/test",
        "type": MatchMadeV1.EVENT_TYPE,
        "time": datetime.now(UTC),
        "tenantid": tenant,
        "dataversion": 1,
        "data": data,
    }
    values.update(over)
    return CloudEvent(**values)


def test_a_valid_event_reaches_the_handler_typed() -> None:
    consumed = typed(MatchMadeV1, _envelope(_match()))
    assert isinstance(consumed.payload, MatchMadeV1)
    assert (consumed.id, consumed.tenant_id, consumed.payload.match_id) == ("e1", "acme", "x1")


def test_another_tenant_in_the_payload_is_refused() -> None:
    with pytest.raises(PermanentError, match="tenant"):
        typed(MatchMadeV1, _envelope(_match(tenant="other")))


def test_bad_data_is_refused_naming_the_topic() -> None:
    data = _match()
    del data["mentor"]
    with pytest.raises(PermanentError, match="match-made"):
        typed(MatchMadeV1, _envelope(data))


def test_another_event_type_is_refused() -> None:
    with pytest.raises(PermanentError):
        typed(MessageSentV1, _envelope(_match()))
    with pytest.raises(PermanentError):
        typed(MatchMadeV1, _envelope(_match(), type="mentorship.something.else"))
