"""A message: its text, thread, reactions, and what moderation and erasure did to it.

Each message is its own stream, named ``<conversation id>.<number>``: the number is the
message's place in its conversation, and the first commit of the stream is the claim
on that number (an insert into a unique index, the one atomic write on every backend).
Deleted, hidden and scrubbed messages keep their place; reads show them without content.
"""

from __future__ import annotations

from typing import Any

from chassis.domain import Aggregate, DomainEvent, applies
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from messaging.domain.markdown import check_body, render

MAX_ATTACHMENTS = 10
MAX_MENTIONS = 50
MAX_EMOJI = 32
MAX_REACTIONS = 50
MAX_REASON = 500


def message_id(conversation_id: str, number: int) -> str:
    return f"{conversation_id}.{number}"


def parse_message_id(mid: str) -> tuple[str, int]:
    """(conversation id, number) of a message id, or NotFound for anything else."""
    conversation, _, number = mid.rpartition(".")
    if not conversation or not number.isdigit() or len(number) > 12:
        raise NotFound("no such message")
    return conversation, int(number)


class MessagePosted(DomainEvent):
    TYPE = "MessagePosted"
    tenant_id: str
    conversation_id: str
    number: int
    sender: str
    source: str
    thread_root: str | None = None
    mentions: list[str] = []
    attachments: list[str] = []
    sent_at: str


class MessageEdited(DomainEvent):
    TYPE = "MessageEdited"
    source: str
    mentions: list[str] = []
    at: str


class MessageDeleted(DomainEvent):
    TYPE = "MessageDeleted"
    at: str


class ReactionAdded(DomainEvent):
    TYPE = "ReactionAdded"
    user_id: str
    emoji: str


class ReactionRemoved(DomainEvent):
    TYPE = "ReactionRemoved"
    user_id: str
    emoji: str


class MessageReported(DomainEvent):
    TYPE = "MessageReported"
    by: str
    reason: str


class MessageHidden(DomainEvent):
    TYPE = "MessageHidden"
    by: str
    reason: str


class MessageScrubbed(DomainEvent):
    """The sender was erased: the text and attachments are gone (events redacted too)."""

    TYPE = "MessageScrubbed"
    at: str


def check_emoji(emoji: str) -> str:
    if not emoji or len(emoji) > MAX_EMOJI or any(c.isspace() for c in emoji):
        raise InvalidInput(
            f"a reaction is 1 to {MAX_EMOJI} characters without spaces", field="emoji"
        )
    return emoji


class Message(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.conversation_id = ""
        self.number = 0
        self.sender = ""
        self.source = ""
        self.thread_root: str | None = None
        self.mentions: list[str] = []
        self.attachments: list[str] = []
        self.reactions: dict[str, list[str]] = {}
        self.reports: list[dict[str, str]] = []
        self.sent_at = ""
        self.edited_at: str | None = None
        self.deleted = False
        self.hidden = False
        self.scrubbed = False

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def visible(self) -> bool:
        """Whether its content may be shown to anyone at all."""
        return not (self.deleted or self.hidden or self.scrubbed)

    @property
    def html(self) -> str:
        return render(self.source) if self.visible else ""

    def post(
        self,
        *,
        tenant_id: str,
        conversation_id: str,
        number: int,
        sender: str,
        body: str,
        thread_root: str | None,
        mentions: list[str],
        attachments: list[str],
        at: str,
    ) -> None:
        if len(attachments) > MAX_ATTACHMENTS:
            raise InvalidInput(
                f"a message has at most {MAX_ATTACHMENTS} attachments", field="attachments"
            )
        if len(mentions) > MAX_MENTIONS:
            raise InvalidInput(
                f"a message mentions at most {MAX_MENTIONS} people", field="mentions"
            )
        self.record(
            MessagePosted(
                tenant_id=tenant_id,
                conversation_id=conversation_id,
                number=number,
                sender=sender,
                source=check_body(body),
                thread_root=thread_root,
                mentions=list(dict.fromkeys(mentions)),
                attachments=list(dict.fromkeys(attachments)),
                sent_at=at,
            )
        )

    def _own(self, user_id: str) -> None:
        if self.sender != user_id:
            raise Forbidden("only the sender may change a message")
        if not self.visible:
            raise Conflict("this message was deleted or hidden")

    def edit(self, user_id: str, body: str, mentions: list[str], at: str) -> None:
        self._own(user_id)
        if len(mentions) > MAX_MENTIONS:
            raise InvalidInput(
                f"a message mentions at most {MAX_MENTIONS} people", field="mentions"
            )
        source = check_body(body)
        if source == self.source and mentions == self.mentions:
            return
        self.record(MessageEdited(source=source, mentions=list(dict.fromkeys(mentions)), at=at))

    def delete(self, user_id: str, at: str) -> None:
        if self.deleted:
            return
        self._own(user_id)
        self.record(MessageDeleted(at=at))

    def react(self, user_id: str, emoji: str, on: bool) -> bool:
        emoji = check_emoji(emoji)
        if not self.visible:
            raise Conflict("this message was deleted or hidden")
        has = user_id in self.reactions.get(emoji, [])
        if has == on:
            return False
        if on and emoji not in self.reactions and len(self.reactions) >= MAX_REACTIONS:
            raise Conflict(f"a message has at most {MAX_REACTIONS} different reactions")
        event = ReactionAdded if on else ReactionRemoved
        self.record(event(user_id=user_id, emoji=emoji))
        return True

    def report(self, user_id: str, reason: str) -> None:
        if len(reason) > MAX_REASON:
            raise InvalidInput(f"a reason has at most {MAX_REASON} characters", field="reason")
        if any(r["by"] == user_id for r in self.reports):
            return
        self.record(MessageReported(by=user_id, reason=reason))

    def hide(self, admin_id: str, reason: str) -> None:
        if len(reason) > MAX_REASON:
            raise InvalidInput(f"a reason has at most {MAX_REASON} characters", field="reason")
        if not self.hidden:
            self.record(MessageHidden(by=admin_id, reason=reason))

    def scrub(self, at: str) -> None:
        if not self.scrubbed:
            self.record(MessageScrubbed(at=at))

    def view(self) -> dict[str, Any]:
        """What a member reads: no content once deleted, hidden or scrubbed."""
        shown = self.visible
        return {
            "id": self.stream_id,
            "conversation_id": self.conversation_id,
            "number": self.number,
            "sender": self.sender,
            "body": self.source if shown else None,
            "html": self.html if shown else None,
            "thread_root": self.thread_root,
            "mentions": self.mentions if shown else [],
            "attachments": self.attachments if shown else [],
            "reactions": self.reactions if shown else {},
            "sent_at": self.sent_at,
            "edited_at": self.edited_at,
            "state": "deleted"
            if self.deleted
            else "hidden"
            if self.hidden
            else "erased"
            if self.scrubbed
            else "visible",
        }

    # --- state ----------------------------------------------------------------------

    @applies(MessagePosted)
    def _posted(self, e: MessagePosted) -> None:
        self.tenant_id, self.conversation_id, self.number = e.tenant_id, e.conversation_id, e.number
        self.sender, self.source, self.thread_root = e.sender, e.source, e.thread_root
        self.mentions, self.attachments, self.sent_at = (
            list(e.mentions),
            list(e.attachments),
            e.sent_at,
        )

    @applies(MessageEdited)
    def _edited(self, e: MessageEdited) -> None:
        self.source, self.mentions, self.edited_at = e.source, list(e.mentions), e.at

    @applies(MessageDeleted)
    def _deleted(self, e: MessageDeleted) -> None:
        self.deleted, self.source, self.attachments = True, "", []

    @applies(ReactionAdded)
    def _reacted(self, e: ReactionAdded) -> None:
        self.reactions.setdefault(e.emoji, []).append(e.user_id)

    @applies(ReactionRemoved)
    def _unreacted(self, e: ReactionRemoved) -> None:
        users = self.reactions.get(e.emoji, [])
        if e.user_id in users:
            users.remove(e.user_id)
        if not users:
            self.reactions.pop(e.emoji, None)

    @applies(MessageReported)
    def _reported(self, e: MessageReported) -> None:
        self.reports.append({"by": e.by, "reason": e.reason})

    @applies(MessageHidden)
    def _hidden(self, e: MessageHidden) -> None:
        self.hidden = True

    @applies(MessageScrubbed)
    def _scrubbed(self, e: MessageScrubbed) -> None:
        self.scrubbed, self.source, self.attachments = True, "", []
