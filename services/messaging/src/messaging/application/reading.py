"""Reading: history pages, read markers and unread counts, my threads, search.

Histories are read by message number, newest first, one point read per message (message
ids are ``<conversation>.<number>``), so a page costs its size whatever the backend.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chassis.auth import Principal
from chassis.cursors import decode_cursor, encode_cursor
from chassis.errors import InvalidInput, NotFound
from chassis.eventstore import ConcurrencyError, Publish
from mentorship_contracts.events.messaging import MessageReadV1
from messaging.application.access import member_conversation
from messaging.application.fanout import Fanout
from messaging.application.ports import ConversationIndex, MessageViews, Repository
from messaging.domain.conversation import Conversation
from messaging.domain.markdown import terms
from messaging.domain.message import message_id, parse_message_id
from messaging.domain.reader import ReadMarker, marker_stream

UNREAD_CAP = 100  # counted exactly up to this, shown as "100+" beyond


class Unread:
    def __init__(self, views: MessageViews, markers: Repository[ReadMarker]) -> None:
        self.views, self.markers = views, markers

    async def count(self, principal: Principal, conversation_id: str) -> int:
        head = await self.views.head(conversation_id)
        marker = await self.markers.load(marker_stream(conversation_id, principal.user_id))
        start = max(marker.up_to, head - UNREAD_CAP)
        ids = [message_id(conversation_id, n) for n in range(start + 1, head + 1)]
        found = await self.views.many(ids)
        return sum(
            1
            for doc in found
            if doc is not None and doc["sender"] != principal.user_id and doc["state"] == "visible"
        )


class History:
    def __init__(self, conversations: Repository[Conversation], views: MessageViews) -> None:
        self.conversations, self.views = conversations, views

    async def __call__(
        self,
        principal: Principal,
        conversation_id: str,
        *,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The conversation's messages (not thread replies), newest first."""
        await member_conversation(self.conversations, principal, conversation_id)
        before = decode_cursor(cursor) if cursor else None
        if before is not None and (not isinstance(before, int) or before < 1):
            raise InvalidInput("not a cursor of this list", field="cursor")
        top = (await self.views.head(conversation_id)) + 1 if before is None else before
        items: list[dict[str, Any]] = []
        number = top - 1
        while number >= 1 and len(items) < limit:
            chunk = list(range(number, max(number - limit * 2, 0), -1))
            docs = await self.views.many([message_id(conversation_id, n) for n in chunk])
            for n, doc in zip(chunk, docs, strict=True):
                number = n - 1
                if doc is None or doc.get("thread_root") is not None:
                    continue  # replies are read in their thread
                items.append(doc)
                if len(items) == limit:
                    break
        next_cursor = encode_cursor(number + 1) if number >= 1 and items else None
        return items, next_cursor


class Thread:
    def __init__(self, conversations: Repository[Conversation], views: MessageViews) -> None:
        self.conversations, self.views = conversations, views

    async def __call__(self, principal: Principal, root_id: str) -> dict[str, Any]:
        """A thread: its root and every reply, oldest first."""
        conversation_id, _ = parse_message_id(root_id)
        await member_conversation(self.conversations, principal, conversation_id)
        root = await self.views.get(root_id)
        if root is None or root.get("thread_root") is not None:
            raise NotFound("no such thread")
        return {"root": root, "replies": await self.views.thread(conversation_id, root_id)}


class MarkRead:
    """Moves the member's read marker forward and tells their other clients and the
    conversation (read receipts); emits ``message-read`` (ids and a number only)."""

    def __init__(
        self,
        conversations: Repository[Conversation],
        markers: Repository[ReadMarker],
        views: MessageViews,
        fanout: Fanout,
    ) -> None:
        self.conversations, self.markers, self.views, self.fanout = (
            conversations,
            markers,
            views,
            fanout,
        )

    async def __call__(self, principal: Principal, conversation_id: str, up_to: int) -> int:
        conversation = await member_conversation(self.conversations, principal, conversation_id)
        head = await self.views.head(conversation_id)
        if up_to < 0 or up_to > head:
            raise InvalidInput(f"up_to is a message number from 0 to {head}", field="up_to")
        now = datetime.now(UTC)
        for attempt in range(3):
            marker = await self.markers.load(marker_stream(conversation_id, principal.user_id))
            if not marker.mark(
                principal.tenant_id, conversation_id, principal.user_id, up_to, now.isoformat()
            ):
                return marker.up_to
            event = MessageReadV1(
                tenant_id=principal.tenant_id,
                program_id=conversation.program_id,
                conversation_id=conversation_id,
                reader_user_id=principal.user_id,
                up_to_message_id=message_id(conversation_id, up_to) if up_to else None,
                up_to_number=up_to,
                read_at=now,
            )
            try:
                await self.markers.save(marker, messages=[Publish(event)])
            except ConcurrencyError:
                if attempt == 2:
                    raise
                continue
            await self.fanout.tell(
                principal.tenant_id,
                conversation.members,
                {
                    "kind": "read",
                    "conversation_id": conversation_id,
                    "user_id": principal.user_id,
                    "up_to": up_to,
                },
            )
            return up_to
        raise AssertionError("unreachable")  # pragma: no cover


class MyThreads:
    """Threads I started, wrote in or was mentioned in, the newest reply first."""

    def __init__(self, index: ConversationIndex, views: MessageViews) -> None:
        self.index, self.views = index, views

    async def __call__(self, principal: Principal, limit: int) -> list[dict[str, Any]]:
        me = principal.user_id
        mine = [r["conversation_id"] for r in await self.index.of_member(principal.tenant_id, me)]
        if not mine:
            return []
        threads: dict[str, dict[str, Any]] = {}
        for reply in await self.views.replies(principal.tenant_id, mine):
            t = threads.setdefault(
                reply["thread_root"], {"root": reply["thread_root"], "replies": 0, "mine": False}
            )
            t["replies"] += 1
            t["last_reply_at"] = max(t.get("last_reply_at", ""), reply["sent_at"])
            if reply["sender"] == me or me in reply.get("mentions", []):
                t["mine"] = True
        roots = await self.views.many(list(threads))
        out = []
        for root in roots:
            if root is None:
                continue
            t = threads[root["id"]]
            if t["mine"] or root["sender"] == me or me in root.get("mentions", []):
                out.append(
                    {
                        "root": root,
                        "reply_count": t["replies"],
                        "last_reply_at": t["last_reply_at"],
                    }
                )
        out.sort(key=lambda t: t["last_reply_at"], reverse=True)
        return out[:limit]


class Search:
    """Every word of the query, in the caller's own conversations only (one, or all)."""

    def __init__(
        self,
        conversations: Repository[Conversation],
        index: ConversationIndex,
        views: MessageViews,
    ) -> None:
        self.conversations, self.index, self.views = conversations, index, views

    async def __call__(
        self, principal: Principal, query: str, limit: int, conversation_id: str | None = None
    ) -> list[dict[str, Any]]:
        words = terms(query)
        if not words:
            raise InvalidInput("search for at least one word of two letters", field="q")
        if len(words) > 10:
            raise InvalidInput("search for at most 10 words", field="q")
        if conversation_id is not None:
            await member_conversation(self.conversations, principal, conversation_id)
            scope = [conversation_id]
        else:
            rows = await self.index.of_member(principal.tenant_id, principal.user_id)
            scope = [r["conversation_id"] for r in rows]
        if not scope:
            return []
        return await self.views.search(principal.tenant_id, scope, words, limit)
