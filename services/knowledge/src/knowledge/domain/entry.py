"""A library entry: from the redacted draft its authors review to the published entry.

The stream starts when an exchange's consent arrives (or, out of order, with its
withdrawal, which then wins). Only the exchange's authors edit and approve the draft; an
edit clears earlier approvals, so what is published is exactly what every author approved
last. Any author withdraws at any time; withdrawal is final (a new consent in messaging is
a new exchange). A forgotten person (erased, or left the program) loses their credit and
their link to the source conversation; their words stay in an entry they approved,
anonymised, and a draft they had not approved is withdrawn.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chassis.domain import Aggregate, DomainEvent, applies
from chassis.errors import Conflict, NotFound, PreconditionFailed

Status = Literal["draft", "published", "withdrawn"]
_ENTRY_IDS = uuid.UUID("5d1c6a52-2d07-4e53-9bb8-4f0a3f6f1f8e")


def entry_id_of(tenant_id: str, exchange_id: str) -> str:
    """One entry per exchange: the id is derived, so a redelivered consent finds its entry."""
    return "ke-" + uuid.uuid5(_ENTRY_IDS, f"{tenant_id}|{exchange_id}").hex


def stream_of(entry_id: str) -> str:
    return f"entry-{entry_id}"


class Author(DomainEvent):
    TYPE = "Author"
    user_id: str
    role: Literal["mentor", "mentee"]
    credit: bool = False


class Content(DomainEvent):
    """The redacted, structured text of an entry."""

    TYPE = "Content"
    title: str
    question: str
    answer: str
    topics: list[str] = Field(default_factory=list)
    expertise_area: str | None = None


class DraftPrepared(DomainEvent):
    TYPE = "DraftPrepared"
    tenant_id: str
    program_id: str
    exchange_id: str
    conversation_id: str
    authors: list[Author]
    member_user_ids: list[str]
    content: Content
    redactions: dict[str, int] = Field(default_factory=dict)
    prepared_at: datetime


class DraftEdited(DomainEvent):
    TYPE = "DraftEdited"
    by_user_id: str
    content: Content
    redactions: dict[str, int] = Field(default_factory=dict)


class PublicationApproved(DomainEvent):
    TYPE = "PublicationApproved"
    user_id: str
    revision: int


class EntryPublished(DomainEvent):
    TYPE = "EntryPublished"
    published_at: datetime
    duplicate_of: str | None = None


class EntryWithdrawn(DomainEvent):
    TYPE = "EntryWithdrawn"
    tenant_id: str
    program_id: str
    exchange_id: str
    conversation_id: str
    by_user_id: str | None = None
    reason: str
    withdrawn_at: datetime


class PersonForgotten(DomainEvent):
    """Credits and the source link of someone erased or gone; their id is pseudonymised."""

    TYPE = "PersonForgotten"
    pseudonym: str


#: The stored fields that carry text; withdrawal blanks them in the event store too.
CONTENT_EVENTS = frozenset({DraftPrepared.TYPE, DraftEdited.TYPE})


class Entry(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.entry_id = stream_id.removeprefix("entry-")
        self.program_id = ""
        self.exchange_id = ""
        self.conversation_id = ""
        self.status: Status | None = None
        self.authors: list[dict[str, Any]] = []
        self.member_user_ids: list[str] = []
        self.content: dict[str, Any] = {}
        self.redactions: dict[str, int] = {}
        self.revision = 0
        self.approved_by: list[str] = []
        self.duplicate_of: str | None = None
        self.published_at: str | None = None
        self.withdrawal: dict[str, Any] | None = None

    # --- queries --------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self.status is not None

    @property
    def author_ids(self) -> list[str]:
        return [a["user_id"] for a in self.authors]

    def is_author(self, user_id: str) -> bool:
        return user_id in self.author_ids

    def credited(self) -> list[dict[str, Any]]:
        """The authors named on the entry: only those who agreed (and are not forgotten)."""
        return [a for a in self.authors if a["credit"]]

    # --- commands -------------------------------------------------------------------------

    def prepare(
        self,
        *,
        tenant_id: str,
        program_id: str,
        exchange_id: str,
        conversation_id: str,
        authors: Sequence[Author],
        member_user_ids: Sequence[str],
        content: Content,
        redactions: Mapping[str, int],
        now: datetime,
    ) -> bool:
        """Start the draft; False when the entry exists already (a redelivery, or withdrawn)."""
        if self.exists:
            return False
        self.record(
            DraftPrepared(
                tenant_id=tenant_id,
                program_id=program_id,
                exchange_id=exchange_id,
                conversation_id=conversation_id,
                authors=list(authors),
                member_user_ids=list(member_user_ids),
                content=content,
                redactions=dict(redactions),
                prepared_at=now,
            )
        )
        return True

    def _check_author(self, user_id: str) -> None:
        if not self.exists or self.status == "withdrawn" or not self.is_author(user_id):
            raise NotFound("no such draft")

    def edit(
        self, user_id: str, content: Content, redactions: Mapping[str, int], revision: int | None
    ) -> None:
        self._check_author(user_id)
        if self.status != "draft":
            raise Conflict("a published entry is not edited; withdraw it instead")
        self._check_revision(revision)
        self.record(DraftEdited(by_user_id=user_id, content=content, redactions=dict(redactions)))

    def approve(self, user_id: str, revision: int | None) -> bool:
        """Record the author's approval of the current text; True when every author has."""
        self._check_author(user_id)
        if self.status != "draft":
            raise Conflict("this entry is published already")
        self._check_revision(revision)
        if user_id not in self.approved_by:
            self.record(PublicationApproved(user_id=user_id, revision=self.revision))
        return set(self.approved_by) >= set(self.author_ids)

    def publish(self, now: datetime, duplicate_of: str | None) -> None:
        if self.status != "draft" or set(self.approved_by) < set(self.author_ids):
            raise Conflict("every author approves the draft before it is published")
        self.record(EntryPublished(published_at=now, duplicate_of=duplicate_of))

    def withdraw(
        self,
        *,
        by_user_id: str | None,
        reason: str,
        now: datetime,
        tenant_id: str,
        program_id: str,
        exchange_id: str,
        conversation_id: str,
    ) -> bool:
        """Withdraw (idempotent: False when already withdrawn)."""
        if self.status == "withdrawn":
            return False
        self.record(
            EntryWithdrawn(
                tenant_id=tenant_id,
                program_id=program_id,
                exchange_id=exchange_id,
                conversation_id=conversation_id,
                by_user_id=by_user_id,
                reason=reason,
                withdrawn_at=now,
            )
        )
        return True

    def withdraw_by_author(self, user_id: str, now: datetime) -> bool:
        self._check_author(user_id)
        return self.withdraw(
            by_user_id=user_id,
            reason="author_withdrew",
            now=now,
            tenant_id=self.tenant_id,
            program_id=self.program_id,
            exchange_id=self.exchange_id,
            conversation_id=self.conversation_id,
        )

    def forget(self, pseudonym: str) -> None:
        self.record(PersonForgotten(pseudonym=pseudonym))

    def _check_revision(self, revision: int | None) -> None:
        if revision is not None and revision != self.version:
            raise PreconditionFailed(
                f"the draft changed (version {self.version}); reload it and review again",
                expected_version=revision,
            )

    # --- appliers -------------------------------------------------------------------------

    @applies(DraftPrepared)
    def _prepared(self, e: DraftPrepared) -> None:
        self.tenant_id, self.program_id = e.tenant_id, e.program_id
        self.exchange_id, self.conversation_id = e.exchange_id, e.conversation_id
        self.status = "draft"
        self.authors = [a.model_dump() for a in e.authors]
        self.member_user_ids = list(e.member_user_ids)
        self.content = e.content.model_dump()
        self.redactions = dict(e.redactions)
        self.revision = 1

    @applies(DraftEdited)
    def _edited(self, e: DraftEdited) -> None:
        self.content = e.content.model_dump()
        for kind, count in e.redactions.items():
            self.redactions[kind] = self.redactions.get(kind, 0) + count
        self.revision += 1
        self.approved_by = []

    @applies(PublicationApproved)
    def _approved(self, e: PublicationApproved) -> None:
        if e.user_id not in self.approved_by:
            self.approved_by.append(e.user_id)

    @applies(EntryPublished)
    def _published(self, e: EntryPublished) -> None:
        self.status = "published"
        self.published_at = e.published_at.isoformat()
        self.duplicate_of = e.duplicate_of

    @applies(EntryWithdrawn)
    def _withdrawn(self, e: EntryWithdrawn) -> None:
        self.tenant_id, self.program_id = e.tenant_id, e.program_id
        self.exchange_id, self.conversation_id = e.exchange_id, e.conversation_id
        self.status = "withdrawn"
        self.content = {}
        self.withdrawal = {"by_user_id": e.by_user_id, "reason": e.reason}

    @applies(PersonForgotten)
    def _forgotten(self, e: PersonForgotten) -> None:
        for author in self.authors:
            if author["user_id"] == e.pseudonym:
                author["credit"] = False
        self.member_user_ids = [u for u in self.member_user_ids if u != e.pseudonym]
