"""A member's stored history (types, versions, times) and its erasure, on the event store.

What erasure overwrites is decided by the domain (:mod:`profiles.domain.erasure`) and the
contracts mapping (profile snapshots in the outbox become tombstones); this adapter only
applies it through :meth:`chassis.eventstore.EventStore.redact`, the one write that
changes a stored commit.
"""

from __future__ import annotations

from chassis.eventstore import EventStore
from chassis.idempotency import IdempotencyStore
from profiles import contracts_mapping
from profiles.application.ports import HistoryEntry
from profiles.domain.erasure import redacted


class EventHistory:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def of(self, stream_id: str) -> list[HistoryEntry]:
        return [
            HistoryEntry(e.version, e.type, e.recorded_at) for e in await self.store.load(stream_id)
        ]


class StoredDataErasure:
    def __init__(self, store: EventStore, idempotency: IdempotencyStore) -> None:
        self.store = store
        self.idempotency = idempotency

    async def redact_history(self, member_id: str) -> None:
        await self.store.redact(
            member_id,
            event=lambda e: redacted(e.type, e.data),
            message=contracts_mapping.erased_message,
        )

    async def forget_requests(self, tenant_id: str, user_id: str) -> None:
        await self.idempotency.forget_user(tenant_id, user_id)
