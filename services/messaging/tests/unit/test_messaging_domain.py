"""Messaging's domain rules, pure: conversations, messages, Markdown, read markers."""

from __future__ import annotations

import pytest

from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from messaging.domain.conversation import Conversation
from messaging.domain.markdown import check_body, render, terms
from messaging.domain.message import Message, parse_message_id
from messaging.domain.reader import ReadMarker

AT = "2026-01-01T00:00:00+00:00"


def group() -> Conversation:
    c = Conversation("g-1")
    c.open(tenant_id="t", program_id="p", kind="group", members=["mentor", "a"], match_id="m1")
    c.join("mentor", match_id="m2")
    c.join("b", match_id="m2")
    return c


def test_a_group_keeps_its_mentor_when_one_mentees_match_ends() -> None:
    c = group()
    c.end_match("m1", "completed")
    assert c.members == ["mentor", "b"] and not c.archived
    c.end_match("m1", "completed")  # redelivered: nothing more
    assert c.version == 4


def test_a_pair_is_archived_and_read_only_when_its_match_ends() -> None:
    c = Conversation("m-1")
    c.open(tenant_id="t", program_id="p", kind="pair", members=["x", "y"], match_id="m1")
    c.end_match("m1", "completed")
    assert c.archived and c.members == ["x", "y"]
    with pytest.raises(Conflict):
        c.check_writable()


def test_consent_is_per_member_and_defaults_to_no() -> None:
    c = group()
    assert not c.knowledge_sharing
    for user in c.members:
        c.consent(user, True)
    assert c.knowledge_sharing
    c.join("late", by="admin")
    assert not c.knowledge_sharing


def test_only_rooms_have_members_removed_by_admins() -> None:
    with pytest.raises(Forbidden):
        group().remove_member("a", by="admin")
    room = Conversation("r-1")
    room.open(tenant_id="t", program_id="p", kind="room", members=["admin", "a"], opened_by="admin")
    room.remove_member("a", by="admin")
    assert room.members == ["admin"] and room.former == ["a"]


def posted(body: str = "hello") -> Message:
    m = Message("c.1")
    m.post(
        tenant_id="t",
        conversation_id="c",
        number=1,
        sender="x",
        body=body,
        thread_root=None,
        mentions=[],
        attachments=["doc-1"],
        at=AT,
    )
    return m


def test_only_the_sender_edits_and_deleted_content_is_gone() -> None:
    m = posted()
    with pytest.raises(Forbidden):
        m.edit("y", "mine now", [], AT)
    m.edit("x", "hello again", [], AT)
    m.delete("x", AT)
    view = m.view()
    assert view["body"] is None and view["html"] is None and view["attachments"] == []
    assert view["state"] == "deleted"
    with pytest.raises(Conflict):
        m.react("y", "+1", True)


def test_hidden_keeps_the_text_in_the_stream_but_not_in_reads() -> None:
    m = posted("rude")
    m.hide("admin", "abuse")
    assert m.source == "rude" and m.view()["body"] is None and m.view()["state"] == "hidden"


def test_reactions_toggle_once_per_person() -> None:
    m = posted()
    assert m.react("y", "👍", True) and not m.react("y", "👍", True)
    assert m.view()["reactions"] == {"👍": ["y"]}
    assert m.react("y", "👍", False) and m.view()["reactions"] == {}
    with pytest.raises(InvalidInput):
        m.react("y", "two words", True)


@pytest.mark.parametrize(
    "body", ["<script>x</script>", "a <img src=x onerror=alert(1)>", "<!-- c -->", "", "x" * 10_001]
)
def test_html_and_bad_sizes_are_refused(body: str) -> None:
    with pytest.raises(InvalidInput):
        check_body(body)


def test_markdown_renders_inert() -> None:
    html = render("**bold** [ok](https://example.org) [bad](javascript:alert(1)) `<b>`")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="nofollow noopener noreferrer"' in html
    assert "javascript" not in html.split("[bad]")[0] and "<a" not in html.split("[bad]")[1]
    assert "&lt;b&gt;" in html
    assert terms("Hello, hello World!") == ["hello", "world"]


def test_message_ids_name_their_conversation() -> None:
    assert parse_message_id("m-match.1.17") == ("m-match.1", 17)
    for bad in ("nonumber", "c.x", ".3"):
        with pytest.raises(NotFound):
            parse_message_id(bad)


def test_read_markers_only_move_forward() -> None:
    marker = ReadMarker("read-c-x")
    assert marker.mark("t", "c", "x", 5, AT) and not marker.mark("t", "c", "x", 3, AT)
    assert marker.up_to == 5
