"""The entry's rules: every author approves what is published; withdrawal is final."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chassis.errors import Conflict, NotFound, PreconditionFailed
from knowledge.domain.entry import Author, Content, Entry, entry_id_of, stream_of

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def draft() -> Entry:
    entry = Entry(stream_of(entry_id_of("t1", "ex-1")))
    assert entry.prepare(
        tenant_id="t1",
        program_id="p1",
        exchange_id="ex-1",
        conversation_id="c1",
        authors=[
            Author(user_id="ana", role="mentee", credit=True),
            Author(user_id="bo", role="mentor"),
        ],
        member_user_ids=["ana", "bo", "cy"],
        content=Content(title="T", question="Q?", answer="A."),
        redactions={"email": 1},
        now=NOW,
    )
    return entry


def test_the_id_is_derived_so_a_redelivered_consent_finds_its_entry() -> None:
    assert entry_id_of("t1", "ex-1") == entry_id_of("t1", "ex-1") != entry_id_of("t2", "ex-1")
    entry = draft()
    assert not entry.prepare(
        tenant_id="t1",
        program_id="p1",
        exchange_id="ex-1",
        conversation_id="c1",
        authors=[],
        member_user_ids=[],
        content=Content(title="x", question="x", answer="x"),
        redactions={},
        now=NOW,
    )


def test_publication_needs_every_author_and_an_edit_starts_approvals_over() -> None:
    entry = draft()
    assert entry.approve("ana", None) is False
    entry.edit("bo", Content(title="T2", question="Q2?", answer="A2."), {}, None)
    assert entry.approved_by == []
    assert entry.approve("bo", None) is False
    with pytest.raises(Conflict):
        entry.publish(NOW, None)
    assert entry.approve("ana", entry.version) is True
    entry.publish(NOW, None)
    assert entry.status == "published"
    with pytest.raises(Conflict):
        entry.edit("ana", Content(title="x", question="x", answer="x"), {}, None)


def test_only_authors_touch_a_draft_and_a_stale_version_is_refused() -> None:
    entry = draft()
    with pytest.raises(NotFound):
        entry.approve("cy", None)
    with pytest.raises(PreconditionFailed):
        entry.approve("ana", entry.version - 1)


def test_withdrawal_is_final_and_blanks_the_content() -> None:
    entry = draft()
    assert entry.withdraw_by_author("bo", NOW)
    assert entry.status == "withdrawn" and entry.content == {}
    with pytest.raises(NotFound):
        entry.approve("ana", None)


def test_a_withdrawal_before_the_consent_wins() -> None:
    entry = Entry(stream_of(entry_id_of("t1", "ex-2")))
    entry.withdraw(
        by_user_id="ana",
        reason="consent_withdrawn",
        now=NOW,
        tenant_id="t1",
        program_id="p1",
        exchange_id="ex-2",
        conversation_id="c1",
    )
    assert not entry.prepare(
        tenant_id="t1",
        program_id="p1",
        exchange_id="ex-2",
        conversation_id="c1",
        authors=[Author(user_id="ana", role="mentee")],
        member_user_ids=["ana"],
        content=Content(title="x", question="x", answer="x"),
        redactions={},
        now=NOW,
    )
    assert entry.status == "withdrawn"


def test_a_forgotten_author_loses_credit_and_the_source_link() -> None:
    entry = draft()
    entry.authors[0]["user_id"] = "forgotten-1"  # the store pseudonymised the id
    entry.member_user_ids[0] = "forgotten-1"
    entry.forget("forgotten-1")
    assert entry.credited() == []
    assert "forgotten-1" not in entry.member_user_ids
