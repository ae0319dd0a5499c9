"""The consent event carries text only for an exchange every author agreed to share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from mentorship_contracts import ExchangeConsentedV1

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def exchange(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tenant_id": "acme",
        "exchange_id": "ex-1",
        "program_id": "prog-1",
        "conversation_id": "conv-1",
        "nominated_by_user_id": "ana",
        "messages": [
            {
                "message_id": "m1",
                "author_user_id": "ana",
                "part": "question",
                "text": "How do I size a Kafka topic?",
                "sent_at": NOW,
            },
            {
                "message_id": "m2",
                "author_user_id": "bo",
                "part": "answer",
                "text": "Start from the peak write rate.",
                "sent_at": NOW,
            },
        ],
        "consents": [
            {"user_id": "ana", "consented_at": NOW, "credit": True},
            {"user_id": "bo", "consented_at": NOW},
        ],
        "member_user_ids": ["ana", "bo"],
        "consented_at": NOW,
    }
    return data | overrides


def test_a_fully_consented_exchange_is_valid() -> None:
    event = ExchangeConsentedV1.model_validate(exchange())
    assert [c.credit for c in event.consents] == [True, False]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"consents": [{"user_id": "ana", "consented_at": NOW}]}, "exactly the authors"),
        (
            {
                "consents": [{"user_id": "ana", "consented_at": NOW}] * 2
                + [{"user_id": "bo", "consented_at": NOW}]
            },
            "consents once",
        ),
        ({"member_user_ids": ["ana"]}, "member of the conversation"),
    ],
)
def test_an_exchange_without_every_authors_consent_is_refused(
    overrides: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        ExchangeConsentedV1.model_validate(exchange(**overrides))


def test_an_exchange_needs_a_question_and_an_answer() -> None:
    only_questions = exchange()
    only_questions["messages"] = [dict(m, part="question") for m in only_questions["messages"]]
    with pytest.raises(ValidationError, match="one question and one answer"):
        ExchangeConsentedV1.model_validate(only_questions)
