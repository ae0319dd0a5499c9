"""Normalisation of free-text profile terms (skills, goals, keywords, languages).

Members type "K8s", "kubernetes" or "Kubernetes"; "ML", "machine-learning" or, in French,
"apprentissage automatique"; goals are short sentences ("grow as a people leader"). Matching
compares canonical phrases, so the tables below map common abbreviations, synonyms and French
wordings to one English form, and pick known concepts out of longer phrases. A placeholder
("Other", "N/A", "Autre") is no value at all. The tables stay general vocabulary of the
field; anything subtler is the semantic (embedding) criterion's job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from matching.domain.taxonomy import BROADER, CONCEPTS
from matching.domain.vocabulary import (
    LANGUAGE_NAMES,
    PHRASE_SYNONYMS,
    PLACEHOLDER_WORDS,
    TOKEN_SYNONYMS,
)

STOPWORDS: frozenset[str] = frozenset(
    """a an and are as at be but by for from how i in into is it its me my of on or our so
    that the their to want wants we with without you your looking learn get better more
    about some new become grow improve skills skill""".split()
)
# The longest phrase looked up inside a longer one.
MAX_CONCEPT_WORDS = 5

_SEPARATORS = re.compile("[_\\-'\u2019/]+")  # the typographic apostrophe too
_WHITESPACE = re.compile(r"\s+")
_EDGE_PUNCTUATION = " \t\n.,;:!?'\"()[]{}"
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")


def _clean(text: str) -> str:
    """Case-folded, accents dropped, separators as spaces ("Gestion d'Équipe" -> "gestion d
    equipe")."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _SEPARATORS.sub(" ", text)
    return _WHITESPACE.sub(" ", text).strip(_EDGE_PUNCTUATION)


def _cleaned_table(table: Mapping[str, str]) -> dict[str, str]:
    return {_clean(key): value for key, value in table.items()}


PHRASE_ALIASES: dict[str, str] = _cleaned_table(PHRASE_SYNONYMS)
TOKEN_ALIASES: dict[str, str] = _cleaned_table(TOKEN_SYNONYMS)
LANGUAGE_ALIASES: dict[str, str] = _cleaned_table(LANGUAGE_NAMES)
PLACEHOLDERS: frozenset[str] = frozenset(_clean(word) for word in PLACEHOLDER_WORDS)
#: Every canonical phrase the tables know: what is looked for inside longer phrases.
KNOWN_CONCEPTS: frozenset[str] = frozenset(
    {
        *PHRASE_ALIASES.values(),
        *TOKEN_ALIASES.values(),
        *(_clean(c) for c in CONCEPTS),
        *BROADER,
        *BROADER.values(),
    }
)
_FIELDS = frozenset(BROADER.values())
# a chain longer than this is a cycle in the table
_MAX_FIELD_DEPTH = 5


def is_placeholder(value: str) -> bool:
    """True for "", "Other", "N/A", "Unknown", "None", "-", "Autre" and the like."""
    cleaned = _clean(value)
    return not cleaned.strip("-_.?* ") or cleaned in PLACEHOLDERS


def normalize_term(term: str) -> str:
    """Canonical form of one skill/goal/keyword phrase ("K8s" -> "kubernetes")."""
    cleaned = _clean(term)
    if cleaned in PHRASE_ALIASES:
        return PHRASE_ALIASES[cleaned]
    expanded = " ".join(TOKEN_ALIASES.get(token, token) for token in cleaned.split(" "))
    return PHRASE_ALIASES.get(expanded, expanded)


def concepts_in(term: str) -> list[str]:
    """The known concepts inside ``term``, longest match first, left to right.

    "Grow my team leadership and public speaking" -> ["leadership", "public speaking"]; a
    single known word counts ("python"), a word that merely occurs in a concept does not
    ("learning" is not "machine learning").
    """
    words = _clean(term).split(" ")
    found: list[str] = []
    start = 0
    while start < len(words):
        for size in range(min(MAX_CONCEPT_WORDS, len(words) - start), 0, -1):
            phrase = " ".join(words[start : start + size])
            canonical = _known(phrase)
            if canonical:
                found.append(canonical)
                start += size
                break
        else:
            start += 1
    return found


def _known(phrase: str) -> str:
    if phrase in PHRASE_ALIASES:
        return PHRASE_ALIASES[phrase]
    if phrase in TOKEN_ALIASES:
        return TOKEN_ALIASES[phrase]
    return phrase if phrase in KNOWN_CONCEPTS and phrase not in STOPWORDS else ""


def term_phrases(term: str) -> list[str]:
    """The canonical phrases a term stands for: the known concepts inside it, or the whole
    term when it is a known concept itself or holds none ("cloud cost tuning")."""
    if is_placeholder(term):
        return []
    whole = normalize_term(term)
    inside = [c for c in concepts_in(term) if c != whole]
    return [whole, *inside] if whole in KNOWN_CONCEPTS or not inside else inside


def normalize_terms(terms: Iterable[str]) -> dict[str, str]:
    """Canonical phrase -> how to show it (the member's spelling of the whole term, or the
    canonical words of a concept found inside it), for every term that is not a placeholder."""
    result: dict[str, str] = {}
    for term in terms:
        whole = normalize_term(term)
        for canonical in term_phrases(term):
            if canonical and canonical not in result:
                result[canonical] = term.strip() if canonical == whole else canonical
    return result


def fields_of(phrases: Iterable[str]) -> dict[str, str]:
    """The fields ``phrases`` belong to, up the table ("penetration testing" -> "security
    engineering"), and the phrases that name a field themselves ("leadership")."""
    fields: dict[str, str] = {}
    for phrase in phrases:
        current = phrase if phrase in _FIELDS else BROADER.get(phrase, "")
        for _ in range(_MAX_FIELD_DEPTH):
            if not current:
                break
            fields.setdefault(current, current)
            current = BROADER.get(current, "")
    return fields


def normalize_language(language: str) -> str:
    """Canonical language name ("FR", "Français" -> "french"); "" for a placeholder."""
    if is_placeholder(language):
        return ""
    cleaned = _clean(language)
    return LANGUAGE_ALIASES.get(cleaned, cleaned)


def keyword_tokens(terms: Iterable[str]) -> set[str]:
    """Content words of the canonical forms of ``terms``, without stop words."""
    tokens: set[str] = set()
    for term in terms:
        if is_placeholder(term):
            continue
        for token in _TOKEN.findall(normalize_term(term)):
            if token not in STOPWORDS:
                tokens.add(token)
    return tokens
