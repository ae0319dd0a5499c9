"""What a member's socket is sent: their feed from a position on, then live.

A position is a member's feed position (1, 2, ...). Resuming from ``after`` yields the
entries ``after + 1`` onward exactly once and in order; a position further back than the
kept backlog (or ahead of the feed) is refused with :class:`PositionTooOld` so the client
reloads through the HTTP API instead of silently missing events. Entries name messages;
the message is read as it is *now*, so deleted, hidden and erased content is never
replayed, and a member who left a conversation is not shown its new content. Live entries
that arrive with their live notice (the members named were the members when the entry was
written; the message read once per replica) become frames through :func:`event_frame` too.
"""

from __future__ import annotations

from typing import Any

from chassis.auth import Principal
from chassis.errors import Problem
from messaging.application.access import member_conversation
from messaging.application.fanout import Fanout
from messaging.application.ports import Feed, MessageViews, Presence, Repository
from messaging.domain.conversation import Conversation


def event_frame(
    position: int, entry: dict[str, Any], message: dict[str, Any] | None
) -> dict[str, Any]:
    """The socket frame of a feed entry; ``message`` is the message as it is now (None
    for a member who may not read it)."""
    frame: dict[str, Any] = {
        "type": "event",
        "position": position,
        "kind": entry["kind"],
        "conversation_id": str(entry.get("conversation_id")),
    }
    for key in ("change", "user_id", "up_to", "emoji", "on"):
        if key in entry:
            frame[key] = entry[key]
    if "message_id" in entry:
        frame["message_id"] = entry["message_id"]
        frame["message"] = message
    return frame


class PositionTooOld(Problem):
    status, title = 410, "Position too old"


class Streams:
    def __init__(
        self,
        feed: Feed,
        views: MessageViews,
        conversations: Repository[Conversation],
        fanout: Fanout,
        presence: Presence,
        *,
        backlog: int,
    ) -> None:
        self.feed, self.views, self.conversations = feed, views, conversations
        self.fanout, self.presence, self.backlog = fanout, presence, backlog

    async def start(self, principal: Principal, after: int | None) -> int:
        """The position to stream after: the head for a fresh client, ``after`` to resume."""
        await self.presence.seen(principal.tenant_id, principal.user_id)
        head = await self.feed.head(principal.tenant_id, principal.user_id)
        if after is None:
            return head
        if after < 0 or after > head or head - after > self.backlog:
            raise PositionTooOld(
                f"position {after} cannot be resumed (the feed is at {head}, and keeps the "
                f"last {self.backlog}): reload and reconnect without a position",
                head=head,
            )
        return after

    async def since(
        self, principal: Principal, after: int, limit: int = 100, *, verify: bool = False
    ) -> list[dict[str, Any]]:
        """The entries after ``after``. With ``verify`` (a socket's periodic check), none
        while the feed is further on means they were dropped (a client far behind while
        its member's feed moved past the backlog): PositionTooOld."""
        entries = await self.feed.read(principal.tenant_id, principal.user_id, after, limit)
        tenant, user = principal.tenant_id, principal.user_id
        if not entries and verify and await self.feed.head(tenant, user) > after:
            raise PositionTooOld(
                f"the events after position {after} are no longer kept: reload and reconnect"
            )
        readable: dict[str, bool] = {}
        out = []
        for entry in entries:
            conversation_id = str(entry.get("conversation_id"))
            message = None
            if "message_id" in entry:
                if conversation_id not in readable:
                    conversation = await self.conversations.load(conversation_id)
                    readable[conversation_id] = conversation.is_member(principal.user_id)
                if readable[conversation_id]:
                    message = await self.views.get(entry["message_id"])
            out.append(event_frame(entry["position"], entry, message))
        return out

    async def alive(self, principal: Principal) -> None:
        await self.presence.seen(principal.tenant_id, principal.user_id)

    async def typing(self, principal: Principal, conversation_id: str) -> None:
        conversation = await member_conversation(self.conversations, principal, conversation_id)
        await self.fanout.typing(
            principal.tenant_id, conversation.members, conversation_id, principal.user_id
        )
