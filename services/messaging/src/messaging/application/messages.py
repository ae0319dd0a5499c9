"""Writing messages: send (a thread reply too), edit and delete one's own, react, report;
program admins hide. Each change is saved to the message's stream, projected into the
read model, then told to every member (feed, live sockets, digests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from chassis.auth import Principal
from chassis.errors import Conflict, InvalidInput, NotFound, Problem
from chassis.eventstore import ConcurrencyError, Publish
from messaging import contracts_mapping
from messaging.application.access import is_program_admin, member_conversation
from messaging.application.fanout import Fanout
from messaging.application.ports import (
    AttachmentPolicy,
    Directory,
    MessageViews,
    QuotedMessages,
    RateLimiter,
    Redaction,
    Reports,
    Repository,
)
from messaging.domain.conversation import Conversation
from messaging.domain.markdown import terms
from messaging.domain.message import Message, message_id, parse_message_id

CLAIM_ATTEMPTS = 200


class TooManyRequests(Problem):
    status, title = 429, "Too many requests"


def now() -> str:
    return datetime.now(UTC).isoformat()


class Projection:
    """The read model and the members' feeds follow every saved message change."""

    def __init__(self, views: MessageViews, fanout: Fanout) -> None:
        self.views, self.fanout = views, fanout

    async def project(self, message: Message) -> dict[str, Any]:
        view = message.view()
        await self.views.put(
            view,
            tenant_id=message.tenant_id,
            version=message.version,
            terms=terms(message.source) if message.visible else [],
        )
        return view

    async def tell(
        self, conversation: Conversation, message: Message, kind: str, change: str, **extra: Any
    ) -> None:
        await self.fanout.tell(
            conversation.tenant_id,
            conversation.members,
            {
                "kind": kind,
                "change": change,
                "conversation_id": conversation.stream_id,
                "message_id": message.stream_id,
                **extra,
            },
            digest_for=[m for m in conversation.members if m != message.sender]
            if kind == "message.created"
            else (),
        )


class SendMessage:
    def __init__(
        self,
        conversations: Repository[Conversation],
        messages: Repository[Message],
        projection: Projection,
        attachments: AttachmentPolicy,
        limiter: RateLimiter,
    ) -> None:
        self.conversations, self.messages, self.projection = conversations, messages, projection
        self.attachments, self.limiter = attachments, limiter

    async def __call__(
        self,
        principal: Principal,
        token: str,
        conversation_id: str,
        *,
        body: str,
        thread_root: str | None = None,
        mentions: Sequence[str] = (),
        attachments: Sequence[str] = (),
    ) -> dict[str, Any]:
        conversation = await member_conversation(self.conversations, principal, conversation_id)
        if not self.limiter.allow(f"{principal.tenant_id}|{principal.user_id}"):
            raise TooManyRequests("you are sending too fast: wait a moment and send again")
        conversation.check_writable()
        for user in mentions:
            if not conversation.is_member(user):
                raise InvalidInput(f"{user} is not a member of this conversation", field="mentions")
        if thread_root is not None:
            root_conversation, _ = parse_message_id(thread_root)
            root = await self.projection.views.get(thread_root)
            if root_conversation != conversation_id or root is None:
                raise InvalidInput("no such message in this conversation", field="thread_root")
            if root.get("thread_root") is not None:
                raise InvalidInput("reply to the thread's first message", field="thread_root")
        if attachments:
            await self.attachments.check(principal, token, conversation, list(attachments))
        message = await self._claim(
            principal, conversation, body, thread_root, mentions, attachments
        )
        view = await self.projection.project(message)
        await self.projection.views.note_head(conversation_id, message.number)
        await self.projection.tell(conversation, message, "message.created", "created")
        return view

    async def _claim(
        self,
        principal: Principal,
        conversation: Conversation,
        body: str,
        thread_root: str | None,
        mentions: Sequence[str],
        attachments: Sequence[str],
    ) -> Message:
        """The next number of the conversation: the first commit of the message's stream is
        the claim (a concurrent sender who took it makes this one try the next number)."""
        number = await self.projection.views.head(conversation.stream_id) + 1
        for _ in range(CLAIM_ATTEMPTS):
            message = Message(message_id(conversation.stream_id, number))
            message.post(
                tenant_id=principal.tenant_id,
                conversation_id=conversation.stream_id,
                number=number,
                sender=principal.user_id,
                body=body,
                thread_root=thread_root,
                mentions=list(mentions),
                attachments=list(attachments),
                at=now(),
            )
            try:
                await self.messages.save(
                    message, messages=[contracts_mapping.sent(conversation, message)]
                )
                return message
            except ConcurrencyError:
                number += 1
        raise Conflict("the conversation is too busy right now; send again")


class ChangeMessage:
    """The changes of an existing message, each checked by the message's own rules."""

    def __init__(
        self,
        conversations: Repository[Conversation],
        messages: Repository[Message],
        projection: Projection,
        directory: Directory,
        redaction: Redaction,
        reports: Reports,
        quoted: QuotedMessages | None = None,
    ) -> None:
        self.conversations, self.messages, self.projection = conversations, messages, projection
        self.directory, self.redaction, self.reports = directory, redaction, reports
        self.quoted = quoted  # exchanges quoting a message follow its edits and deletion

    async def _change(
        self,
        principal: Principal,
        mid: str,
        change: Callable[[Conversation, Message], Awaitable[list[Publish]] | list[Publish]],
        *,
        writable: bool = True,
    ) -> tuple[Conversation, Message]:
        conversation_id, _ = parse_message_id(mid)
        conversation = await member_conversation(self.conversations, principal, conversation_id)
        if writable:
            conversation.check_writable()
        for attempt in range(3):
            message = await self.messages.load(mid)
            if not message.exists or message.tenant_id != principal.tenant_id:
                raise NotFound("no such message")
            result = change(conversation, message)
            publish = await result if not isinstance(result, list) else result
            if not message.pending:
                return conversation, message
            try:
                await self.messages.save(message, messages=publish)
                return conversation, message
            except ConcurrencyError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _after(
        self, conversation: Conversation, message: Message, change: str, **extra: Any
    ) -> dict[str, Any]:
        view = await self.projection.project(message)
        await self.projection.tell(conversation, message, "message.updated", change, **extra)
        return view

    async def edit(
        self, principal: Principal, mid: str, body: str, mentions: list[str]
    ) -> dict[str, Any]:
        at = now()

        def edit(c: Conversation, m: Message) -> list[Publish]:
            for user in mentions:
                if not c.is_member(user):
                    raise InvalidInput(
                        f"{user} is not a member of this conversation", field="mentions"
                    )
            m.edit(principal.user_id, body, mentions, at)
            return [contracts_mapping.edited(c, m, at)]

        conversation, message = await self._change(principal, mid, edit)
        if self.quoted is not None and message.edited_at == at:
            await self.quoted.message_changed(principal.tenant_id, mid, deleted=False)
        return await self._after(conversation, message, "edited")

    async def delete(self, principal: Principal, mid: str) -> dict[str, Any]:
        at = now()

        def delete(c: Conversation, m: Message) -> list[Publish]:
            m.delete(principal.user_id, at)
            return [contracts_mapping.deleted(c, m, "deleted", at)]

        conversation, message = await self._change(principal, mid, delete, writable=False)
        await self.redaction.redact(message.stream_id)
        if self.quoted is not None:
            await self.quoted.message_changed(principal.tenant_id, mid, deleted=True)
        return await self._after(conversation, message, "deleted")

    async def react(self, principal: Principal, mid: str, emoji: str, on: bool) -> dict[str, Any]:
        def react(c: Conversation, m: Message) -> list[Publish]:
            m.react(principal.user_id, emoji, on)
            return []

        conversation, message = await self._change(principal, mid, react)
        return await self._after(
            conversation, message, "reaction", user_id=principal.user_id, emoji=emoji, on=on
        )

    async def report(self, principal: Principal, mid: str, reason: str) -> None:
        def report(c: Conversation, m: Message) -> list[Publish]:
            if m.sender == principal.user_id:
                raise InvalidInput("you cannot report your own message", field="message_id")
            m.report(principal.user_id, reason)
            return []

        conversation, _ = await self._change(principal, mid, report, writable=False)
        await self.reports.add(
            tenant_id=principal.tenant_id,
            program_id=conversation.program_id,
            message_id=mid,
            by=principal.user_id,
            reason=reason,
            at=now(),
        )

    async def hide(self, principal: Principal, mid: str, reason: str) -> dict[str, Any]:
        """Program admins only (anyone else: 404, as for a message they cannot see). The
        events stay in the log; reads and feeds show the message without content."""
        conversation_id, _ = parse_message_id(mid)
        conversation = await self.conversations.load(conversation_id)
        if (
            not conversation.exists
            or conversation.tenant_id != principal.tenant_id
            or not await is_program_admin(self.directory, principal, conversation.program_id)
        ):
            raise NotFound("no such message")
        message = await self.messages.load(mid)
        if not message.exists:
            raise NotFound("no such message")
        at = now()
        message.hide(principal.user_id, reason)
        await self.messages.save(
            message, messages=[contracts_mapping.deleted(conversation, message, "hidden", at)]
        )
        if self.quoted is not None:
            await self.quoted.message_changed(principal.tenant_id, mid, deleted=True)
        return await self._after(conversation, message, "hidden")

    async def reported(self, principal: Principal, program_id: str) -> list[dict[str, Any]]:
        """What members reported in a program, for its admins (anyone else: 404)."""
        if not await is_program_admin(self.directory, principal, program_id):
            raise NotFound("no such program (or you do not administer it)")
        return await self.reports.of_program(principal.tenant_id, program_id)
