"""Live fan-out across replicas through Kafka, and this replica's connected sockets.

Every replica reads the whole ``messaging-live`` topic without a consumer group (each
replica sees every notice, from the moment it starts; nothing to commit, no groups left
behind by replicas that are gone) and wakes the sockets of the members named. A notice
carries ids only; the socket then reads its member's feed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from chassis.consumers import PermanentError, typed
from chassis.settings import ServiceSettings
from mentorship_contracts.envelope import from_kafka, to_kafka
from mentorship_contracts.events.messaging import LiveNoticeV1
from mentorship_contracts.factory import new_event

log = logging.getLogger("messaging.live")


class Listener(Protocol):
    """One connected socket: woken when its member's feed grew, told about typing."""

    def wake(self) -> None: ...
    def typing(self, conversation_id: str, user_id: str) -> None: ...


class Hub:
    """The sockets connected to this replica, by member."""

    def __init__(self) -> None:
        self.listeners: dict[str, set[Listener]] = {}

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

    def deliver(self, notice: LiveNoticeV1) -> None:
        for user in notice.user_ids:
            for listener in self.listeners.get(self.key(notice.tenant_id, user), ()):
                if notice.typing_user_id is not None:
                    listener.typing(notice.conversation_id, notice.typing_user_id)
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
            for record in raw if isinstance(raw, tuple) else (raw,):
                try:
                    event = from_kafka(record.value or b"", record.headers or [])
                    notice = typed(LiveNoticeV1, event).payload
                except (PermanentError, ValueError) as exc:
                    log.warning("dropping an unreadable live notice: %s", exc)
                    continue
                self.hub.deliver(notice)

    async def notify(
        self,
        tenant_id: str,
        conversation_id: str,
        user_ids: Sequence[str],
        typing_user_id: str | None = None,
    ) -> None:
        if not user_ids:
            return
        notice = LiveNoticeV1(
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            user_ids=list(user_ids),
            typing_user_id=typing_user_id,
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
