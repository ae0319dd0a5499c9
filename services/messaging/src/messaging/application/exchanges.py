"""Exchanges for the program's library: nominate, read, consent, withdraw; and what
follows from changed messages and from the library.

Privacy: nothing about an exchange leaves messaging until its last author consented. That
consent's commit holds ``ExchangeConsented`` and, in the same commit, the outbox message
``ExchangeConsentedV1`` with the quoted texts: it is stored with its message or not at all,
and the relay publishes each outbox message once. Withdrawing after that publishes
``ExchangeWithdrawnV1`` (ids only).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from chassis.auth import Principal
from chassis.errors import Conflict, InvalidInput, NotFound
from chassis.eventstore import ConcurrencyError, Publish
from mentorship_contracts.events.knowledge import (
    AuthorConsent,
    ExchangeConsentedV1,
    ExchangeWithdrawnV1,
    KnowledgeEntryWithdrawnV1,
    QuotedMessage,
)
from messaging.application.access import member_conversation
from messaging.application.ports import ExchangeViews, Repository
from messaging.domain.conversation import Conversation
from messaging.domain.exchange import Exchange
from messaging.domain.message import Message, parse_message_id

#: the contract's bound on one quoted text (``LongText``)
MAX_QUOTED_TEXT = 5000
ATTEMPTS = 5
MISSING = "no such exchange"


def now() -> str:
    return datetime.now(UTC).isoformat()


def view(exchange: Exchange) -> dict[str, Any]:
    """What a conversation member sees: ids, parts, authors and their consent (no text:
    the messages themselves are in the conversation)."""
    return {
        "exchange_id": exchange.stream_id,
        "conversation_id": exchange.conversation_id,
        "program_id": exchange.program_id,
        "status": exchange.status,
        "nominated_by": exchange.nominated_by,
        "nominated_at": exchange.nominated_at,
        "messages": [dict(m) for m in exchange.messages],
        "authors": [
            {
                "user_id": a,
                "consented": a in exchange.consents,
                "credit": bool(exchange.consents[a]["credit"]) if a in exchange.consents else None,
            }
            for a in exchange.authors
        ],
        "consented_at": exchange.consented_at,
        "ended": exchange.ended,
        "version": exchange.version,
    }


def _match(conversation: Conversation) -> str | None:
    return next(iter(conversation.matches), None) if conversation.kind == "pair" else None


def consented_event(
    exchange: Exchange, conversation: Conversation, texts: dict[str, Message]
) -> Publish:
    """The one message that carries the quoted words, built at the last consent."""
    return Publish(
        ExchangeConsentedV1(
            tenant_id=exchange.tenant_id,
            exchange_id=exchange.stream_id,
            program_id=exchange.program_id,
            conversation_id=exchange.conversation_id,
            match_id=_match(conversation),
            nominated_by_user_id=exchange.nominated_by,
            messages=[
                QuotedMessage(
                    message_id=m["message_id"],
                    author_user_id=m["author_user_id"],
                    part=m["part"],
                    text=texts[m["message_id"]].source,
                    sent_at=datetime.fromisoformat(texts[m["message_id"]].sent_at),
                )
                for m in exchange.messages
            ],
            consents=[
                AuthorConsent(
                    user_id=a,
                    consented_at=datetime.fromisoformat(str(exchange.consents[a]["at"])),
                    credit=bool(exchange.consents[a]["credit"]),
                )
                for a in exchange.authors
            ],
            member_user_ids=list(conversation.members),
            consented_at=datetime.fromisoformat(str(exchange.consented_at)),
        )
    )


def withdrawn_event(exchange: Exchange) -> Publish:
    ended = exchange.ended or {}
    return Publish(
        ExchangeWithdrawnV1(
            tenant_id=exchange.tenant_id,
            exchange_id=exchange.stream_id,
            program_id=exchange.program_id,
            conversation_id=exchange.conversation_id,
            withdrawn_by_user_id=str(ended.get("by") or exchange.nominated_by),
            withdrawn_at=datetime.fromisoformat(str(ended["at"])),
            reason=str(ended["reason"]),
        )
    )


def _shareable(message: Message, tenant_id: str) -> None:
    if not message.exists or message.tenant_id != tenant_id:
        raise InvalidInput(f"no such message: {message.stream_id}", field="message_ids")
    if not message.visible:
        raise InvalidInput(
            f"message {message.stream_id} was deleted or hidden", field="message_ids"
        )
    if len(message.source) > MAX_QUOTED_TEXT:
        raise InvalidInput(
            f"message {message.stream_id} is longer than the library takes "
            f"({MAX_QUOTED_TEXT} characters)",
            field="message_ids",
        )


class ExchangeUseCases:
    """Shared plumbing: the repositories, the read model, the member check."""

    def __init__(
        self,
        conversations: Repository[Conversation],
        messages: Repository[Message],
        exchanges: Repository[Exchange],
        views: ExchangeViews,
        new_id: Callable[[], str] = lambda: f"x-{uuid.uuid4().hex}",
    ) -> None:
        self.conversations, self.messages, self.exchanges = conversations, messages, exchanges
        self.views, self.new_id = views, new_id

    async def _exchange(
        self, principal: Principal, conversation_id: str, exchange_id: str
    ) -> tuple[Conversation, Exchange]:
        conversation = await member_conversation(self.conversations, principal, conversation_id)
        if len(exchange_id) > 128:
            raise NotFound(MISSING)
        exchange = await self.exchanges.load(exchange_id)
        if (
            not exchange.exists
            or exchange.tenant_id != principal.tenant_id
            or exchange.conversation_id != conversation.stream_id
        ):
            raise NotFound(MISSING)
        return conversation, exchange

    async def _save(self, exchange: Exchange, messages: Sequence[Publish] = ()) -> None:
        await self.exchanges.save(exchange, messages=messages)
        await self.views.put(view(exchange), tenant_id=exchange.tenant_id)

    # --- nominate and read --------------------------------------------------------

    async def nominate(
        self,
        principal: Principal,
        conversation_id: str,
        question_message_ids: Sequence[str],
        answer_message_ids: Sequence[str],
    ) -> dict[str, Any]:
        """Any member nominates messages of this conversation; nothing leaves messaging."""
        conversation = await member_conversation(self.conversations, principal, conversation_id)
        pairs: dict[str, list[tuple[str, str]]] = {"q": [], "a": []}
        for key, ids in (("q", question_message_ids), ("a", answer_message_ids)):
            for mid in ids:
                try:
                    owner, _ = parse_message_id(mid)
                except NotFound:
                    owner = ""
                if owner != conversation.stream_id:
                    raise InvalidInput(
                        f"{mid} is not a message of this conversation", field="message_ids"
                    )
                message = await self.messages.load(mid)
                _shareable(message, principal.tenant_id)
                if not conversation.is_member(message.sender):
                    raise InvalidInput(
                        f"the author of {mid} is no longer a member of this conversation",
                        field="message_ids",
                    )
                pairs[key].append((mid, message.sender))
        exchange = Exchange(self.new_id())
        exchange.nominate(
            tenant_id=principal.tenant_id,
            program_id=conversation.program_id,
            conversation_id=conversation.stream_id,
            nominated_by=principal.user_id,
            questions=pairs["q"],
            answers=pairs["a"],
            at=now(),
        )
        await self._save(exchange)
        return view(exchange)

    async def list(self, principal: Principal, conversation_id: str) -> list[dict[str, Any]]:
        conversation = await member_conversation(self.conversations, principal, conversation_id)
        return await self.views.of_conversation(principal.tenant_id, conversation.stream_id)

    async def get(
        self, principal: Principal, conversation_id: str, exchange_id: str
    ) -> dict[str, Any]:
        _, exchange = await self._exchange(principal, conversation_id, exchange_id)
        return view(exchange)

    # --- consent and withdraw -----------------------------------------------------

    async def consent(
        self, principal: Principal, conversation_id: str, exchange_id: str, credit: bool
    ) -> dict[str, Any]:
        """An author consents. A concurrent consent makes the commit fail (same stream
        version): reload and consent on top, so exactly one commit is the last."""
        for attempt in range(ATTEMPTS):
            conversation, exchange = await self._exchange(principal, conversation_id, exchange_id)
            last = exchange.consent(principal.user_id, credit, now())
            publish: list[Publish] = []
            if last:
                publish = [await self._consented(exchange, conversation)]
            try:
                await self._save(exchange, publish)
                return view(exchange)
            except ConcurrencyError:
                if attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _consented(self, exchange: Exchange, conversation: Conversation) -> Publish:
        missing = [a for a in exchange.authors if not conversation.is_member(a)]
        if missing:
            raise Conflict("an author of this exchange has left the conversation")
        texts: dict[str, Message] = {}
        for mid in exchange.message_ids:
            message = await self.messages.load(mid)
            if not message.visible or len(message.source) > MAX_QUOTED_TEXT:
                raise Conflict(f"message {mid} can no longer be shared: nominate again")
            texts[mid] = message
        return consented_event(exchange, conversation, texts)

    async def withdraw(
        self, principal: Principal, conversation_id: str, exchange_id: str
    ) -> dict[str, Any]:
        """Before completion the exchange is cancelled (nothing was ever published); after,
        the library is told to remove it."""
        for attempt in range(ATTEMPTS):
            _, exchange = await self._exchange(principal, conversation_id, exchange_id)
            tell = exchange.withdraw(principal.user_id, now())
            if not exchange.pending:
                return view(exchange)
            try:
                await self._save(exchange, [withdrawn_event(exchange)] if tell else [])
                return view(exchange)
            except ConcurrencyError:
                if attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # --- what follows from elsewhere ------------------------------------------------

    async def message_changed(self, tenant_id: str, message_id: str, *, deleted: bool) -> None:
        """A quoted message was edited, deleted or hidden (see :meth:`Exchange.message_changed`)."""
        at = now()
        for exchange_id in await self.views.quoting(tenant_id, message_id):
            for attempt in range(ATTEMPTS):
                exchange = await self.exchanges.load(exchange_id)
                if exchange.tenant_id != tenant_id:
                    break
                tell = exchange.message_changed(message_id, deleted, at)
                if not exchange.pending:
                    break
                try:
                    await self._save(exchange, [withdrawn_event(exchange)] if tell else [])
                    break
                except ConcurrencyError:
                    if attempt == ATTEMPTS - 1:
                        raise

    async def author_erased(
        self, tenant_id: str, conversation_ids: Sequence[str], user_id: str
    ) -> int:
        """Erasure: every exchange of these conversations still awaiting the erased
        member's consent is cancelled (nothing of it is ever published); how many."""
        at, cancelled = now(), 0
        for conversation_id in conversation_ids:
            for row in await self.views.of_conversation(tenant_id, conversation_id):
                if row["status"] != "awaiting_consent" or user_id not in (
                    a["user_id"] for a in row["authors"]
                ):
                    continue
                for attempt in range(ATTEMPTS):
                    exchange = await self.exchanges.load(row["exchange_id"])
                    if exchange.tenant_id != tenant_id or not exchange.author_erased(user_id, at):
                        break
                    try:
                        await self._save(exchange)
                        cancelled += 1
                        break
                    except ConcurrencyError:  # a consent meanwhile: reload, cancel on top
                        if attempt == ATTEMPTS - 1:
                            raise
        return cancelled

    async def entry_withdrawn(self, event: KnowledgeEntryWithdrawnV1) -> None:
        """The library removed the entry: record it, publish nothing back."""
        if len(event.exchange_id) > 128:
            return
        for attempt in range(ATTEMPTS):
            exchange = await self.exchanges.load(event.exchange_id)
            if (
                not exchange.exists
                or exchange.tenant_id != event.tenant_id
                or exchange.conversation_id != event.conversation_id
            ):
                return
            exchange.left_library(
                event.withdrawn_by_user_id, event.reason, event.withdrawn_at.isoformat()
            )
            if not exchange.pending:
                return
            try:
                await self._save(exchange)
                return
            except ConcurrencyError:
                if attempt == ATTEMPTS - 1:
                    raise
