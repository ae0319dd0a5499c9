"""Knowledge: exchanges whose authors consented to share them, and the library's entries.

The only topic on the platform that carries the words people wrote to each other is
``exchange-consented``, and only after *every* author of the quoted messages agreed (in
the messaging service). It exists for one consumer, the knowledge service, which redacts
the text into a draft the authors review. Everything the knowledge service publishes
itself is metadata (ids, topic labels, codes), never text.

Withdrawal travels both ways: an author who withdraws in messaging makes messaging publish
``exchange-withdrawn``; an author who withdraws an entry in the library makes knowledge
publish ``knowledge-entry-withdrawn`` (messaging records the consent as withdrawn).
"""

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field, model_validator

from ._types import MAX_PEOPLE, Code, Id, LongText, Tag, UserId
from .base import ContractModel, EventPayload

__all__ = [
    "AuthorConsent",
    "ExchangeConsentedV1",
    "ExchangeWithdrawnV1",
    "KnowledgeEntryPublishedV1",
    "KnowledgeEntryWithdrawnV1",
    "QuotedMessage",
]

#: Messages one exchange may quote (a question and the answers that solved it).
MAX_QUOTED_MESSAGES = 20


class QuotedMessage(ContractModel):
    """One message of the exchange, as its author wrote it."""

    message_id: Id
    author_user_id: UserId
    part: Literal["question", "answer"] = Field(
        description="Whether the nominator marked it as (part of) the question or an answer."
    )
    text: LongText
    sent_at: AwareDatetime


class AuthorConsent(ContractModel):
    """One author's consent to the exchange leaving the conversation."""

    user_id: UserId
    consented_at: AwareDatetime
    credit: bool = Field(
        default=False, description="The author agreed to be named as an author of the entry."
    )


class ExchangeConsentedV1(EventPayload):
    """Every author of a nominated exchange consented: its content may leave the conversation.

    Published by messaging once, after the last consent (never on ``message-sent``).
    ``member_user_ids`` are the conversation's members when the last consent was given:
    the library links back to the conversation for them only.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.exchange.consented"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "exchange-consented"

    exchange_id: Id
    program_id: Id
    conversation_id: Id
    match_id: Id | None = None
    nominated_by_user_id: UserId
    messages: Annotated[list[QuotedMessage], Field(min_length=2, max_length=MAX_QUOTED_MESSAGES)]
    consents: Annotated[list[AuthorConsent], Field(min_length=1, max_length=MAX_QUOTED_MESSAGES)]
    member_user_ids: Annotated[list[UserId], Field(min_length=1, max_length=MAX_PEOPLE)]
    consented_at: AwareDatetime

    @model_validator(mode="after")
    def _every_author_consented(self) -> "ExchangeConsentedV1":
        parts = {m.part for m in self.messages}
        if parts != {"question", "answer"}:
            raise ValueError("an exchange quotes at least one question and one answer")
        authors = {m.author_user_id for m in self.messages}
        consenting = {c.user_id for c in self.consents}
        if len(consenting) != len(self.consents):
            raise ValueError("an author consents once")
        if authors != consenting:
            raise ValueError("consents must be exactly the authors of the quoted messages")
        if not authors <= set(self.member_user_ids):
            raise ValueError("every author is a member of the conversation")
        return self


class ExchangeWithdrawnV1(EventPayload):
    """An author withdrew their consent in messaging: the exchange must leave the library.

    Known ``reason`` codes: ``author_withdrew``, ``message_deleted``, ``conversation_deleted``.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.exchange.withdrawn"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "exchange-withdrawn"

    exchange_id: Id
    program_id: Id
    conversation_id: Id
    withdrawn_by_user_id: UserId
    withdrawn_at: AwareDatetime
    reason: Code = "author_withdrew"


class KnowledgeEntryPublishedV1(EventPayload):
    """An entry joined a program's library (metadata only: no title, no text, no names).

    ``duplicate_of_entry_id`` names the entry it was merged under when it is a near
    duplicate (listed once, under that entry).
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.knowledge_entry.published"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "knowledge-entry-published"

    entry_id: Id
    program_id: Id
    exchange_id: Id
    topics: Annotated[list[Tag], Field(max_length=20)] = []
    expertise_area: Tag | None = None
    duplicate_of_entry_id: Id | None = None
    published_at: AwareDatetime


class KnowledgeEntryWithdrawnV1(EventPayload):
    """An entry (or its draft) left the library.

    Known ``reason`` codes: ``author_withdrew`` (through the library: messaging records the
    consent as withdrawn), ``consent_withdrawn`` (messaging said so), ``author_erased`` (an
    author of a draft was erased before it was published).
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.knowledge_entry.withdrawn"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "knowledge-entry-withdrawn"

    entry_id: Id
    program_id: Id
    exchange_id: Id
    conversation_id: Id
    withdrawn_by_user_id: UserId | None = None
    reason: Code
    withdrawn_at: AwareDatetime
