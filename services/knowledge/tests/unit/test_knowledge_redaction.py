"""Redaction: personal data is masked, names become roles, the knowledge stays readable."""

from __future__ import annotations

import pytest

from knowledge.domain.drafting import expertise_in, title_of, topics_in
from knowledge.domain.redaction import EMAIL_MASK, LINK_MASK, PHONE_MASK, Person, Redactor, is_phone

PEOPLE = [
    Person("Amelia Watson", "the mentor"),
    Person("Ben Okafor", "the mentee"),
    Person("Chen Li", "a colleague"),
]


def redact(text: str) -> str:
    return Redactor(PEOPLE).redact(text).text


@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",
        "(415) 555-0132",
        "415-555-0132",
        "415.555.0132",
        "+1 415 555 0132",
        "06 12 34 56 78",
        "+33 6 12 34 56 78",
        "0176 1234567",
        "4155550132",
        "+49-30-901820",
    ],
)
def test_phone_numbers_are_masked(phone: str) -> None:
    assert redact(f"call me on {phone} tonight") == f"call me on {PHONE_MASK} tonight"


@pytest.mark.parametrize(
    "number",
    [
        "2024-01-15",
        "192.168.1.10",
        "v3.11.2",
        "8080 9092 27017",
        "10,000 users",
        "12/03/2024",
        "1234",
    ],
)
def test_numbers_that_are_not_phones_stay(number: str) -> None:
    assert redact(f"see {number} here") == f"see {number} here"
    assert not is_phone(number)


def test_emails_and_links_with_secrets_are_masked_plain_links_stay() -> None:
    text = (
        "Write to ben.okafor+kafka@mail.example.co.uk; "
        "docs at https://docs.example.com/kafka/sizing, "
        "reset via https://app.example.com/reset?token=abc123. Room: "
        "https://meet.example.com/j/8f3KJ29dkQ02mZx7pLq and https://user:pw@git.example.com/repo"
    )
    out = Redactor().redact(text)
    assert out.text == (
        f"Write to {EMAIL_MASK}; docs at https://docs.example.com/kafka/sizing, "
        f"reset via {LINK_MASK}. Room: {LINK_MASK} and {LINK_MASK}"
    )
    assert out.counts == {"email": 1, "link": 3}


def test_directory_names_become_roles() -> None:
    out = Redactor(PEOPLE).redact(
        "Hi Amelia, thanks! Ben Okafor here. Chen Li said amelia watson knows. "
        "Amelia's notes helped."
    )
    assert out.text == (
        "Hi the mentor, thanks! The mentee here. A colleague said the mentor knows. "
        "The mentor's notes helped."
    )
    assert out.counts["name"] == 5


def test_a_name_inside_a_mask_or_a_word_is_left_alone() -> None:
    assert redact("Benchmarks by Benjamin") == "Benchmarks by Benjamin"


def test_title_is_the_question_without_the_greeting() -> None:
    assert title_of("Hi the mentor, quick one. How do I size a Kafka topic? Thanks") == (
        "How do I size a Kafka topic?"
    )
    assert len(title_of("word " * 100)) <= 120


def test_topics_come_from_the_vocabulary_and_expertise_from_the_mentor() -> None:
    text = "Kafka partitions: with Kafka, one partition per consumer. Python clients too."
    topics = topics_in(text, ["Kafka", "Partitions", "python", "Go", "Rust"])
    assert topics == ["partitions", "kafka", "python"]  # mentions, then length
    assert expertise_in(text, topics, ["Data engineering", "Kafka"]) == "kafka"
    assert expertise_in(text, topics, ["Leadership"]) is None
