"""Live fan-out across replicas through Kafka, and this replica's connected sockets.

Every replica reads the whole ``messaging-live`` topic without a consumer group (each
replica sees every notice, from the moment it starts; nothing to commit, no groups left
behind by replicas that are gone). A notice carries ids only: the members, their new feed
positions and the feed entry. The replica reads the message named once (not once per
socket) and offers the entry to each of those members' sockets; a socket that is not at
the position before reads its member's feed instead, so order and gap-freedom come from
the feed either way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from chassis.consumers import PermanentError, typed
from chassis.settings import ServiceSettings
from mentorship_contracts.envelope import from_kafka, to_kafka
from mentorship_contracts.events.messaging import LiveEntry, LiveNoticeV1
from mentorship_contracts.factory import new_event

log = logging.getLogger("messaging.live")


class Listener(Protocol):
    """One connected socket: woken when its member's feed grew, told about typing."""

    def wake(self) -> None: ...
    def typing(self, conversation_id: str, user_id: str) -> None: ...
    def offer(self, position: int, entry: dict[str, Any], message: dict[str, Any] | None) -> None:
        """The member's feed gained ``entry`` at ``position`` (``message`` as it is now)."""


MessageReader = Callable[[Sequence[str]], Awaitable[list[dict[str, Any] | None]]]


async def _no_messages(ids: Sequence[str]) -> list[dict[str, Any] | None]:
    return [None for _ in ids]


class Hub:
    """The sockets connected to this replica, by member."""

    def __init__(self, messages: MessageReader = _no_messages) -> None:
        self.listeners: dict[str, set[Listener]] = {}
        self.messages = messages

    @staticmethod
    def key(tenant_id: str, user_id: str) -> str:
        return f"{tenant_id}|{user_id}"

    def add(self, tenant_id: str, user_id: str, listener: Listener) -> None:
        self.listeners.setdefault(self.key(tenant_id, user_id), set()).add(listener)

    def remove(self, tenant_id: str, user_id: str, listener: Listener) -> None:
        key = self.key(tenant_id, user_id)
        group = self.listeners.get(key)
        if group is not None:
            group.discard(listener)
            if not group:
                del self.listeners[key]

    def count(self) -> int:
        return sum(len(g) for g in self.listeners.values())

    def _here(self, notice: LiveNoticeV1) -> bool:
        return any(self.key(notice.tenant_id, u) in self.listeners for u in notice.user_ids)

    async def deliver_all(self, notices: Sequence[LiveNoticeV1]) -> None:
        """Delivers a batch of notices in order, reading each message named once."""
        wanted = list(
            dict.fromkeys(
                n.entry.message_id
                for n in notices
                if n.entry is not None and n.entry.message_id and self._here(n)
            )
        )
        messages: dict[str, dict[str, Any] | None] | None = {}
        if wanted:
            try:
                messages = dict(zip(wanted, await self.messages(wanted), strict=True))
            except Exception as exc:  # the sockets read their feeds instead
                log.warning("messages of live notices not read: %s", exc)
                messages = None
        for notice in notices:
            self.deliver(notice, messages)

    def deliver(
        self, notice: LiveNoticeV1, messages: dict[str, dict[str, Any] | None] | None = None
    ) -> None:
        positions = notice.positions
        entry = notice.entry.model_dump(exclude_none=True) if notice.entry else None
        offer = (
            messages is not None
            and entry is not None
            and positions is not None
            and len(positions) == len(notice.user_ids)
            and (not entry.get("message_id") or str(entry["message_id"]) in messages)
        )
        for index, user in enumerate(notice.user_ids):
            for listener in self.listeners.get(self.key(notice.tenant_id, user), ()):
                if notice.typing_user_id is not None:
                    listener.typing(notice.conversation_id, notice.typing_user_id)
                elif offer:
                    assert entry is not None and positions is not None and messages is not None
                    mid = entry.get("message_id")
                    listener.offer(positions[index], entry, messages[str(mid)] if mid else None)
                else:
                    listener.wake()


class KafkaLiveBus:
    def __init__(self, broker: KafkaBroker, settings: ServiceSettings, hub: Hub) -> None:
        self.broker, self.hub = broker, hub
        self.topic = settings.topic(LiveNoticeV1.TOPIC)
        self.source = f"/mentorship/{settings.service_name}"

    def subscribe(self) -> None:
        """Register this replica's reader (before the broker starts)."""

        @self.broker.subscriber(
            self.topic,
            group_id=None,
            auto_offset_reset="latest",
            batch=True,
            max_records=500,
            batch_timeout_ms=5,
            title="messaging.live-fanout",
        )
        async def on_notice(message: KafkaMessage) -> None:
            raw = message.raw_message
            notices = []
            for record in raw if isinstance(raw, tuple) else (raw,):
                try:
                    event = from_kafka(record.value or b"", record.headers or [])
                    notices.append(typed(LiveNoticeV1, event).payload)
                except (PermanentError, ValueError) as exc:
                    log.warning("dropping an unreadable live notice: %s", exc)
            await self.hub.deliver_all(notices)

    async def notify(
        self,
        tenant_id: str,
        conversation_id: str,
        user_ids: Sequence[str],
        typing_user_id: str | None = None,
        *,
        positions: Sequence[int] | None = None,
        entry: dict[str, Any] | None = None,
    ) -> None:
        if not user_ids:
            return
        notice = LiveNoticeV1(
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            user_ids=list(user_ids),
            typing_user_id=typing_user_id,
            positions=list(positions) if positions is not None else None,
            entry=LiveEntry(**entry) if entry is not None else None,
        )
        body, headers = to_kafka(new_event(notice, source=self.source, subject=conversation_id))
        try:
            await self.broker.publish(
                body,
                self.topic,
                key=conversation_id.encode(),
                headers={k: v.decode() for k, v in headers},
            )
        except Exception as exc:  # the feed has it: sockets catch up at their next heartbeat
            log.warning("live notice not published: %s", exc)
