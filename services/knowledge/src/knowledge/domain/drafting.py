"""How an exchange becomes a structured draft: title, question, answer, topics, expertise.

Topics come from the program's vocabulary (the skills, expertise and interests its
members put on their profiles), so the library is browsed with the words the program
already uses. Pure: the caller supplies the vocabulary and the mentor's expertise.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MAX_TITLE = 120
MAX_TOPICS = 8
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[^,.!?\n]{0,40}[,.!?]?\s*",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.?!])\s+")


def title_of(question: str) -> str:
    """The question's first real sentence (without a greeting), at most 120 characters."""
    text = _GREETING.sub("", question.strip(), count=1).strip() or question.strip()
    first = _SENTENCE.split(text, maxsplit=1)[0].strip()
    for sentence in _SENTENCE.split(text):
        if sentence.rstrip().endswith("?"):
            first = sentence.strip()  # the question itself, when there is one
            break
    first = " ".join(first.split())
    if len(first) > MAX_TITLE:
        first = first[: MAX_TITLE - 1].rsplit(" ", 1)[0] + "…"
    return first[:1].upper() + first[1:]


def search_text(content: Mapping[str, Any]) -> str:
    """What an entry is embedded and compared by: title, question and answer."""
    return "\n".join(content.get(k) or "" for k in ("title", "question", "answer"))


def valid_text(text: str) -> str:
    """``text`` with unpaired surrogates (a ``\\ud800`` JSON escape) replaced: no database
    or topic stores them, and a consented exchange should not fail on one."""
    return text.encode("utf-8", "replace").decode("utf-8")


def normalise_tag(tag: str) -> str:
    return " ".join(tag.lower().split())


def _pattern(term: str) -> re.Pattern[str]:
    """The term as whole words, singular or plural ("partitions" finds "partition")."""
    words = term.split()
    if len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    words = [re.escape(w) for w in words]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?:e?s)?(?!\w)", re.IGNORECASE)


def topics_in(text: str, vocabulary: Iterable[str], limit: int = MAX_TOPICS) -> list[str]:
    """Vocabulary terms the text mentions, most mentioned first (then longer first)."""
    counts: Counter[str] = Counter()
    for term in {normalise_tag(t) for t in vocabulary if len(t.strip()) >= 2}:
        found = len(_pattern(term).findall(text))
        if found:
            counts[term] = found
    ranked = sorted(counts, key=lambda t: (-counts[t], -len(t), t))
    return ranked[:limit]


def expertise_in(text: str, topics: Sequence[str], expertise: Sequence[str]) -> str | None:
    """The mentor's expertise area this exchange is about: one the text or its topics name."""
    tags = [normalise_tag(e) for e in expertise if e.strip()]
    for tag in tags:
        if tag in topics or _pattern(tag).search(text):
            return tag
    return None
