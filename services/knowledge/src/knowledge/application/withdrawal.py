"""Withdrawal and forgetting: content leaves the library, and the stored words go with it.

A withdrawal (an author in the library, or messaging's ``exchange-withdrawn``) records the
fact, takes the entry out of the read model and the search index at once, blanks its text
in the event store, drops its votes and tells messaging (``knowledge-entry-withdrawn``).
A person who is erased or leaves the program is forgotten: their id is pseudonymised in the
entries that name them, credits go, the source link goes; a draft they authored and had
not seen published is withdrawn (they never approved its publication).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from chassis.auth import Principal
from chassis.eventstore import Publish, StoredEvent
from knowledge.application.ports import Documents, Entries, EventRedaction, Projection
from knowledge.application.review import Drafts
from knowledge.domain.entry import CONTENT_EVENTS, Entry, entry_id_of, stream_of
from mentorship_contracts.events.knowledge import ExchangeWithdrawnV1, KnowledgeEntryWithdrawnV1
from mentorship_contracts.events.profiles import ProfileChangedV1

BLANK_CONTENT: dict[str, Any] = {
    "title": "",
    "question": "",
    "answer": "",
    "topics": [],
    "expertise_area": None,
}


def _blank(event: StoredEvent) -> dict[str, Any] | None:
    if event.type not in CONTENT_EVENTS:
        return None
    return {**event.data, "content": BLANK_CONTENT}


def _replaced(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, list):
        return [_replaced(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replaced(v, old, new) for k, v in value.items()}
    return value


def pseudonym_of(tenant_id: str, user_id: str) -> str:
    return "forgotten-" + hashlib.sha256(f"{tenant_id}|{user_id}".encode()).hexdigest()[:16]


class Withdrawals:
    def __init__(
        self,
        entries: Entries,
        store: EventRedaction,
        docs: Documents,
        projection: Projection,
        drafts: Drafts,
    ) -> None:
        self.entries, self.store, self.docs = entries, store, docs
        self.projection, self.drafts = projection, drafts

    async def by_author(self, principal: Principal, program_id: str, entry_id: str) -> Entry:
        entry = await self.drafts.of_author(principal, program_id, entry_id)
        entry.withdraw_by_author(principal.user_id, datetime.now(UTC))
        await self._finish(entry)
        return entry

    async def exchange_withdrawn(self, event: ExchangeWithdrawnV1) -> Entry:
        """Messaging withdrew consent. Before the consent arrived too: then it never lands."""
        entry = await self.entries.load(stream_of(entry_id_of(event.tenant_id, event.exchange_id)))
        if entry.exists and entry.program_id != event.program_id:
            return entry  # not this exchange's program: nothing of it is touched
        changed = entry.withdraw(
            by_user_id=event.withdrawn_by_user_id,
            reason="consent_withdrawn",
            now=event.withdrawn_at,
            tenant_id=event.tenant_id,
            program_id=event.program_id,
            exchange_id=event.exchange_id,
            conversation_id=event.conversation_id,
        )
        if changed:
            await self._finish(entry)
        return entry

    async def _finish(self, entry: Entry) -> None:
        assert entry.withdrawal is not None
        message = KnowledgeEntryWithdrawnV1(
            tenant_id=entry.tenant_id,
            entry_id=entry.entry_id,
            program_id=entry.program_id,
            exchange_id=entry.exchange_id,
            conversation_id=entry.conversation_id,
            withdrawn_by_user_id=entry.withdrawal["by_user_id"],
            reason=entry.withdrawal["reason"],
            withdrawn_at=datetime.now(UTC),
        )
        await self.entries.save(entry, messages=[Publish(message)])
        await self.projection.project(entry)  # out of the index before anything else
        await self.store.redact(entry.stream_id, event=_blank)
        await self.docs.drop_votes(entry.entry_id)

    async def forget(self, profile: ProfileChangedV1) -> int:
        """``profile-changed`` erased: forget the person in every entry that names them."""
        tenant, user = profile.tenant_id, profile.user_id
        pseudonym = pseudonym_of(tenant, user)
        entry_ids = await self.docs.involving(tenant, profile.program_id, user)
        for entry_id in entry_ids:
            stream = stream_of(entry_id)
            await self.store.redact(
                stream,
                event=lambda e: _replaced(e.data, user, pseudonym),
                message=lambda m: _replaced(m, user, pseudonym),
            )
            entry = await self.entries.load_from_events(stream)
            if entry.status == "draft" and entry.is_author(pseudonym):
                entry.withdraw(
                    by_user_id=None,
                    reason="author_erased",
                    now=datetime.now(UTC),
                    tenant_id=entry.tenant_id,
                    program_id=entry.program_id,
                    exchange_id=entry.exchange_id,
                    conversation_id=entry.conversation_id,
                )
                entry.forget(pseudonym)
                await self._finish(entry)
            else:
                entry.forget(pseudonym)
                await self.entries.save(entry)
                await self.projection.project(entry)
        await self.docs.forget_votes(tenant, user)
        return len(entry_ids)
