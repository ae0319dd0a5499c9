"""What the use cases need from the outside world, as Protocols (adapters implement them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from chassis.auth import Principal
from chassis.domain import Aggregate
from chassis.eventstore import Publish

A = TypeVar("A", bound=Aggregate)


class Repository(Protocol[A]):
    async def load(self, stream_id: str) -> A: ...
    async def save(self, aggregate: A, *, messages: Sequence[Publish] = ()) -> Any: ...


class MessageViews(Protocol):
    """The messages read model: one document per message, by id."""

    async def put(
        self, view: dict[str, Any], *, tenant_id: str, version: int, terms: list[str]
    ) -> None: ...
    async def get(self, message_id: str) -> dict[str, Any] | None: ...
    async def many(self, message_ids: Sequence[str]) -> list[dict[str, Any] | None]: ...
    async def head(self, conversation_id: str) -> int: ...
    async def note_head(self, conversation_id: str, number: int) -> None: ...
    async def search(
        self, tenant_id: str, conversation_ids: Sequence[str], words: Sequence[str], limit: int
    ) -> list[dict[str, Any]]: ...
    async def thread(self, conversation_id: str, root_id: str) -> list[dict[str, Any]]: ...
    async def replies(
        self, tenant_id: str, conversation_ids: Sequence[str]
    ) -> list[dict[str, Any]]: ...
    async def sent_by(
        self, tenant_id: str, user_id: str, conversation_ids: Sequence[str]
    ) -> list[str]: ...


class ConversationIndex(Protocol):
    """Whose conversations are whose: one row per (conversation, member)."""

    async def put(self, conversation: Any) -> None: ...
    async def of_member(
        self, tenant_id: str, user_id: str, *, include_former: bool = False
    ) -> list[dict[str, Any]]: ...
    async def match(self, tenant_id: str, match_id: str) -> dict[str, Any] | None: ...
    async def remember_match(
        self,
        tenant_id: str,
        match_id: str,
        conversation_id: str | None,
        *,
        ended: bool = False,
        reason: str | None = None,
    ) -> None: ...


class Feed(Protocol):
    """Per-member ordered log of what a member's clients are shown (positions 1, 2, ...)."""

    async def append(self, tenant_id: str, user_id: str, entry: dict[str, Any]) -> int: ...
    async def append_many(
        self, tenant_id: str, user_ids: list[str], entry: dict[str, Any]
    ) -> dict[str, int]: ...
    async def head(self, tenant_id: str, user_id: str) -> int: ...
    async def read(
        self, tenant_id: str, user_id: str, after: int, limit: int
    ) -> list[dict[str, Any]]: ...


class LiveBus(Protocol):
    """Tells every replica that members have something new (ids only, never content):
    with ``positions`` and ``entry``, what each member's feed gained, so a socket that is
    up to date sends it without reading the feed."""

    async def notify(
        self,
        tenant_id: str,
        conversation_id: str,
        user_ids: Sequence[str],
        typing_user_id: str | None = None,
        *,
        positions: Sequence[int] | None = None,
        entry: dict[str, Any] | None = None,
    ) -> None: ...


class AttachmentPolicy(Protocol):
    """Raises :class:`chassis.errors.InvalidInput` naming a document the sender may not
    share with this conversation."""

    async def check(
        self, principal: Principal, token: str, conversation: Any, document_ids: Sequence[str]
    ) -> None: ...


class Directory(Protocol):
    """Programs and their members, as profiles published them."""

    async def program(self, tenant_id: str, program_id: str) -> dict[str, Any] | None: ...
    async def member_roles(
        self, tenant_id: str, program_id: str, user_id: str
    ) -> list[str] | None: ...


class Presence(Protocol):
    async def seen(self, tenant_id: str, user_id: str) -> None: ...
    async def active(self, tenant_id: str, user_id: str) -> bool: ...


class DigestQueue(Protocol):
    async def enqueue(
        self, tenant_id: str, user_id: str, window_start: int, due_at: float
    ) -> None: ...
    async def due(self, now: float) -> list[dict[str, Any]]: ...
    async def claim(self, item_id: str) -> bool: ...
    async def finish(self, item_id: str, outcome: str) -> None: ...


class Mailer(Protocol):
    async def send(self, *, to: str, subject: str, text: str, message_id: str) -> None: ...


class RateLimiter(Protocol):
    def allow(self, key: str) -> bool: ...


class Redaction(Protocol):
    """Removes a message's text and attachments from its stored events (deletion, erasure)."""

    async def redact(self, message_id: str) -> None: ...


class Reports(Protocol):
    async def add(
        self, *, tenant_id: str, program_id: str, message_id: str, by: str, reason: str, at: str
    ) -> None: ...
    async def of_program(self, tenant_id: str, program_id: str) -> list[dict[str, Any]]: ...


class ExchangeViews(Protocol):
    """The exchanges read model: one document per exchange (no text), version-guarded."""

    async def put(self, view: dict[str, Any], *, tenant_id: str) -> None: ...
    async def of_conversation(
        self, tenant_id: str, conversation_id: str
    ) -> list[dict[str, Any]]: ...
    async def quoting(self, tenant_id: str, message_id: str) -> list[str]: ...


class QuotedMessages(Protocol):
    """Told when a message changes, so exchanges quoting it reset, cancel or withdraw."""

    async def message_changed(self, tenant_id: str, message_id: str, *, deleted: bool) -> None: ...


class PendingExchanges(Protocol):
    """Told when a member is erased, so exchanges awaiting their consent are cancelled."""

    async def author_erased(
        self, tenant_id: str, conversation_ids: Sequence[str], user_id: str
    ) -> int: ...
