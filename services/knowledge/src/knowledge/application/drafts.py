"""From a consented exchange to a redacted draft, and the authors' review of it.

The consent event is the only place the service ever sees unredacted text: the draft is
redacted before it is stored, so neither the event store nor any read model holds the
original words (the authors still have them in their conversation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import numpy as np

from chassis.errors import InvalidInput
from chassis.text import check_text
from knowledge.adapters.directory import DirectoryMember
from knowledge.application.ports import Directory, Embeddings, Entries, Projection
from knowledge.domain.drafting import (
    expertise_in,
    normalise_tag,
    title_of,
    topics_in,
    valid_text,
)
from knowledge.domain.entry import Author, Content, Entry, entry_id_of, stream_of
from knowledge.domain.redaction import Person, Redactor
from mentorship_contracts.events.knowledge import ExchangeConsentedV1

#: The least cosine similarity at which an expertise tag counts as what a text is about.
EXPERTISE_MIN_SIMILARITY = 0.3


@dataclass(frozen=True)
class ProgramWords:
    """What redaction and structuring need from the directory for one exchange."""

    redactor: Redactor
    vocabulary: frozenset[str]
    expertise: tuple[str, ...]  # the mentor authors' expertise areas


def author_role(member: DirectoryMember | None, parts: set[str]) -> Literal["mentor", "mentee"]:
    if member is not None and member.roles:
        return "mentor" if member.mentor else "mentee"
    return "mentor" if parts == {"answer"} else "mentee"


async def program_words(
    directory: Directory, tenant_id: str, program_id: str, authors: Sequence[Author]
) -> ProgramWords:
    members = await directory.members_of(tenant_id, program_id)
    roles = {a.user_id: a.role for a in authors}
    people = [
        Person(m.display_name, f"the {roles[m.user_id]}" if m.user_id in roles else "a colleague")
        for m in members
    ]
    vocabulary = frozenset(normalise_tag(t) for m in members for t in m.vocabulary)
    mentors = {a.user_id for a in authors if a.role == "mentor"}
    expertise = tuple(
        dict.fromkeys(e for m in members if m.user_id in mentors for e in m.expertise)
    )
    return ProgramWords(Redactor(people), vocabulary, expertise)


async def choose_expertise(
    embeddings: Embeddings, text: str, topics: list[str], expertise: tuple[str, ...]
) -> str | None:
    """The mentor's expertise area the text names, else the one closest in meaning."""
    named = expertise_in(text, topics, expertise)
    if named is not None or not expertise:
        return named
    vectors = await embeddings.embed_many([text, *expertise])
    similarities = np.stack(vectors[1:]) @ vectors[0]
    best = int(np.argmax(similarities))
    if similarities[best] < EXPERTISE_MIN_SIMILARITY:
        return None
    return normalise_tag(expertise[best])


class PrepareDraft:
    """``exchange-consented`` -> a draft for the authors (idempotent per exchange)."""

    def __init__(
        self, entries: Entries, directory: Directory, embeddings: Embeddings, projection: Projection
    ) -> None:
        self.entries, self.directory = entries, directory
        self.embeddings, self.projection = embeddings, projection

    async def __call__(self, exchange: ExchangeConsentedV1) -> Entry:
        entry = await self.entries.load(
            stream_of(entry_id_of(exchange.tenant_id, exchange.exchange_id))
        )
        if entry.exists:
            return entry  # redelivered, or withdrawn before the consent arrived
        consents = {c.user_id: c for c in exchange.consents}
        authors = []
        for user_id in dict.fromkeys(m.author_user_id for m in exchange.messages):
            member = await self.directory.member(exchange.tenant_id, exchange.program_id, user_id)
            parts: set[str] = {m.part for m in exchange.messages if m.author_user_id == user_id}
            authors.append(
                Author(
                    user_id=user_id,
                    role=author_role(member, parts),
                    credit=consents[user_id].credit,
                )
            )
        words = await program_words(
            self.directory, exchange.tenant_id, exchange.program_id, authors
        )
        ordered = sorted(exchange.messages, key=lambda m: m.sent_at)
        question = valid_text("\n\n".join(m.text for m in ordered if m.part == "question"))
        answer = valid_text("\n\n".join(m.text for m in ordered if m.part == "answer"))
        (question, answer), counts = words.redactor.redact_all([question, answer])
        text = f"{question}\n{answer}"
        topics = topics_in(text, words.vocabulary)
        content = Content(
            title=title_of(question),
            question=question,
            answer=answer,
            topics=topics,
            expertise_area=await choose_expertise(self.embeddings, text, topics, words.expertise),
        )
        entry.prepare(
            tenant_id=exchange.tenant_id,
            program_id=exchange.program_id,
            exchange_id=exchange.exchange_id,
            conversation_id=exchange.conversation_id,
            authors=authors,
            member_user_ids=exchange.member_user_ids,
            content=content,
            redactions=dict(counts),
            now=datetime.now(UTC),
        )
        await self.entries.save(entry)
        await self.projection.project(entry)
        return entry


@dataclass(frozen=True)
class DraftChanges:
    title: str | None = None
    question: str | None = None
    answer: str | None = None
    topics: list[str] | None = None
    expertise_area: str | None = None
    clear_expertise_area: bool = False


async def edited_content(
    directory: Directory, entry: Entry, changes: DraftChanges
) -> tuple[Content, dict[str, int]]:
    """The draft after an author's changes, redacted again; topics from the vocabulary."""
    authors = [Author(**a) for a in entry.authors]
    words = await program_words(directory, entry.tenant_id, entry.program_id, authors)
    current = entry.content
    for name in ("title", "question", "answer", "expertise_area"):
        value = getattr(changes, name)
        if value is not None:
            check_text(value, name)
    for topic in changes.topics or []:
        check_text(topic, "topics")
    texts = [
        changes.title if changes.title is not None else current["title"],
        changes.question if changes.question is not None else current["question"],
        changes.answer if changes.answer is not None else current["answer"],
    ]
    (title, question, answer), counts = words.redactor.redact_all(texts)
    allowed = words.vocabulary | set(current.get("topics") or [])
    topics = current.get("topics") or []
    if changes.topics is not None:
        topics = list(dict.fromkeys(normalise_tag(t) for t in changes.topics))
        unknown = [t for t in topics if t not in allowed]
        if unknown:
            raise InvalidInput(
                f"not in the program's vocabulary: {', '.join(unknown)}", field="topics"
            )
    area = current.get("expertise_area")
    if changes.clear_expertise_area:
        area = None
    elif changes.expertise_area is not None:
        area = normalise_tag(changes.expertise_area)
        if area not in allowed and area != current.get("expertise_area"):
            raise InvalidInput("not in the program's vocabulary", field="expertise_area")
    content = Content(
        title=title, question=question, answer=answer, topics=topics, expertise_area=area
    )
    return content, dict(counts)
