"""An exchange: a question and the answers that solved it, nominated for the program's
library, and the consent of every author of the quoted messages.

One stream per nomination (``x-<uuid>``, the id knowledge sees as ``exchange_id``). Each
consent is a commit on the stream: the commit's id (stream and version) is unique, so two
authors consenting at once cannot both be "the last one": the loser reloads and consents
on top. The last consent records :class:`ExchangeConsented` in the same commit, which is
the one that carries the text to the library (in its outbox message).

Status: ``awaiting_consent`` -> ``consented`` (the text left) -> ``withdrawn`` (an author
took it back here, or the library said it left); ``awaiting_consent`` -> ``cancelled``
(an author declined or was erased, or a quoted message was deleted: nothing ever left
messaging).
"""

from __future__ import annotations

from typing import Literal

from chassis.domain import Aggregate, DomainEvent, applies
from chassis.errors import Conflict, InvalidInput, NotFound

MIN_MESSAGES, MAX_MESSAGES = 2, 20
Part = Literal["question", "answer"]
Status = Literal["awaiting_consent", "consented", "cancelled", "withdrawn"]


class ExchangeNominated(DomainEvent):
    TYPE = "ExchangeNominated"
    tenant_id: str
    program_id: str
    conversation_id: str
    nominated_by: str
    messages: list[dict[str, str]]  # message_id, author_user_id, part
    at: str


class ConsentGiven(DomainEvent):
    TYPE = "ConsentGiven"
    user_id: str
    credit: bool
    at: str


class ConsentsReset(DomainEvent):
    """A quoted message changed: the authors consent again to what they now see."""

    TYPE = "ConsentsReset"
    message_id: str
    at: str


class ExchangeConsented(DomainEvent):
    """Every author consented; this commit's outbox carries the text to the library."""

    TYPE = "ExchangeConsented"
    at: str


class ExchangeCancelled(DomainEvent):
    TYPE = "ExchangeCancelled"
    by: str | None
    reason: str
    at: str


class ExchangeWithdrawn(DomainEvent):
    """Out of the library: ``published`` says whether messaging told knowledge (an author
    withdrew here) or knowledge told messaging (no event goes back)."""

    TYPE = "ExchangeWithdrawn"
    by: str | None
    reason: str
    published: bool
    at: str


class Exchange(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.program_id = ""
        self.conversation_id = ""
        self.nominated_by = ""
        self.nominated_at = ""
        self.messages: list[dict[str, str]] = []
        self.consents: dict[str, dict[str, object]] = {}  # user -> {credit, at}
        self.status: str = "awaiting_consent"
        self.consented_at: str | None = None
        self.ended: dict[str, object] | None = None  # by, reason, at

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def authors(self) -> list[str]:
        return list(dict.fromkeys(m["author_user_id"] for m in self.messages))

    @property
    def message_ids(self) -> list[str]:
        return [m["message_id"] for m in self.messages]

    @property
    def complete(self) -> bool:
        return set(self.authors) <= set(self.consents)

    # --- commands -------------------------------------------------------------------

    def nominate(
        self,
        *,
        tenant_id: str,
        program_id: str,
        conversation_id: str,
        nominated_by: str,
        questions: list[tuple[str, str]],
        answers: list[tuple[str, str]],
        at: str,
    ) -> None:
        """``questions`` and ``answers`` are (message id, author) pairs, already checked to
        be visible messages of the conversation."""
        if self.exists:
            raise Conflict("this exchange exists already")
        if not questions or not answers:
            raise InvalidInput(
                "an exchange quotes at least one question and one answer",
                field="question_message_ids" if not questions else "answer_message_ids",
            )
        ids = [m for m, _ in questions + answers]
        if not MIN_MESSAGES <= len(ids) <= MAX_MESSAGES:
            raise InvalidInput(
                f"an exchange quotes {MIN_MESSAGES} to {MAX_MESSAGES} messages",
                field="answer_message_ids",
            )
        if len(set(ids)) != len(ids):
            raise InvalidInput("a message is quoted once", field="answer_message_ids")
        quoted = [
            {"message_id": m, "author_user_id": a, "part": part}
            for part, pairs in (("question", questions), ("answer", answers))
            for m, a in pairs
        ]
        self.record(
            ExchangeNominated(
                tenant_id=tenant_id,
                program_id=program_id,
                conversation_id=conversation_id,
                nominated_by=nominated_by,
                messages=quoted,
                at=at,
            )
        )

    def _author(self, user_id: str) -> None:
        if user_id not in self.authors:
            raise NotFound("no such exchange (or you wrote none of its messages)")

    def consent(self, user_id: str, credit: bool, at: str) -> bool:
        """Records the consent; True when it was the last one (the exchange is complete).
        Consenting again while waiting changes only the credit; after completion, nothing."""
        self._author(user_id)
        if self.status != "awaiting_consent":
            if self.status == "consented":
                return False
            raise Conflict(f"this exchange is {self.status}")
        given = self.consents.get(user_id)
        if given is None or given["credit"] != credit:
            self.record(ConsentGiven(user_id=user_id, credit=credit, at=at))
        if self.complete:
            self.record(ExchangeConsented(at=at))
            return True
        return False

    def withdraw(self, user_id: str, at: str) -> bool:
        """An author takes it back. True when the library must be told (it was complete)."""
        self._author(user_id)
        if self.status == "awaiting_consent":
            self.record(ExchangeCancelled(by=user_id, reason="author_declined", at=at))
        elif self.status == "consented":
            self.record(
                ExchangeWithdrawn(by=user_id, reason="author_withdrew", published=True, at=at)
            )
            return True
        return False

    def message_changed(self, message_id: str, deleted: bool, at: str) -> bool:
        """A quoted message was edited or deleted. Before completion an edit resets the
        consents and a deletion cancels (its text can never be shared); after completion a
        deletion withdraws the exchange: True when the library must be told."""
        if message_id not in self.message_ids:
            return False
        if self.status == "awaiting_consent":
            if deleted:
                self.record(ExchangeCancelled(by=None, reason="message_deleted", at=at))
            elif self.consents:
                self.record(ConsentsReset(message_id=message_id, at=at))
        elif self.status == "consented" and deleted:
            self.record(ExchangeWithdrawn(by=None, reason="message_deleted", published=True, at=at))
            return True
        return False

    def author_erased(self, user_id: str, at: str) -> bool:
        """An author was erased: an exchange still awaiting consent is cancelled, so their
        unconsented words can never be published (True when it was). A consented one
        stays: the library forgets the person and keeps the entry, anonymised."""
        if self.status != "awaiting_consent" or user_id not in self.authors:
            return False
        self.record(ExchangeCancelled(by=None, reason="author_erased", at=at))
        return True

    def left_library(self, by: str | None, reason: str, at: str) -> None:
        """The library withdrew the entry (an author there, or an erased author)."""
        if self.status in ("withdrawn", "cancelled"):
            return
        self.record(ExchangeWithdrawn(by=by, reason=reason, published=False, at=at))

    # --- state ----------------------------------------------------------------------

    @applies(ExchangeNominated)
    def _nominated(self, e: ExchangeNominated) -> None:
        self.tenant_id, self.program_id = e.tenant_id, e.program_id
        self.conversation_id, self.nominated_by = e.conversation_id, e.nominated_by
        self.messages, self.nominated_at = [dict(m) for m in e.messages], e.at

    @applies(ConsentGiven)
    def _consented(self, e: ConsentGiven) -> None:
        self.consents[e.user_id] = {"credit": e.credit, "at": e.at}

    @applies(ConsentsReset)
    def _reset(self, e: ConsentsReset) -> None:
        self.consents = {}

    @applies(ExchangeConsented)
    def _complete(self, e: ExchangeConsented) -> None:
        self.status, self.consented_at = "consented", e.at

    @applies(ExchangeCancelled)
    def _cancelled(self, e: ExchangeCancelled) -> None:
        self.status, self.ended = "cancelled", {"by": e.by, "reason": e.reason, "at": e.at}

    @applies(ExchangeWithdrawn)
    def _withdrawn(self, e: ExchangeWithdrawn) -> None:
        self.status, self.ended = "withdrawn", {"by": e.by, "reason": e.reason, "at": e.at}
