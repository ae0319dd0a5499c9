"""Normalisation of free-text profile terms (skills, goals, keywords, languages).

Members type "K8s", "kubernetes" or "Kubernetes"; "ML" or "machine-learning". Matching compares
canonical forms, so the tables below map common abbreviations and spellings to one form. They are
deliberately small: anything subtler is the semantic (embedding) criterion's job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Whole-phrase spellings, looked up after lower-casing and whitespace clean-up.
PHRASE_ALIASES: dict[str, str] = {
    "front end": "frontend",
    "front end development": "frontend development",
    "back end": "backend",
    "full stack": "fullstack",
    "cyber security": "cybersecurity",
    "infosec": "information security",
    "ci cd": "continuous delivery",
    "ci/cd": "continuous delivery",
    "cicd": "continuous delivery",
    "dev ops": "devops",
    "product manager": "product management",
    "project manager": "project management",
    "people manager": "people management",
    "data scientist": "data science",
    "ml ops": "mlops",
    "react.js": "react",
    "vue.js": "vue",
    "node js": "node.js",
    "google cloud": "google cloud platform",
}

# Single-token abbreviations, expanded wherever they appear inside a phrase.
TOKEN_ALIASES: dict[str, str] = {
    "k8s": "kubernetes",
    "kube": "kubernetes",
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "dl": "deep learning",
    "nlp": "natural language processing",
    "llm": "large language models",
    "llms": "large language models",
    "genai": "generative artificial intelligence",
    "js": "javascript",
    "ts": "typescript",
    "py": "python",
    "golang": "go",
    "reactjs": "react",
    "nodejs": "node.js",
    "ux": "user experience",
    "ui": "user interface",
    "pm": "product management",
    "qa": "quality assurance",
    "sre": "site reliability engineering",
    "hr": "human resources",
    "aws": "amazon web services",
    "gcp": "google cloud platform",
    "postgres": "postgresql",
    "db": "databases",
    "dbs": "databases",
    "bi": "business intelligence",
    "seo": "search engine optimization",
    "ds": "data science",
    "swe": "software engineering",
    "iac": "infrastructure as code",
}

LANGUAGE_ALIASES: dict[str, str] = {
    "en": "english",
    "eng": "english",
    "fr": "french",
    "fra": "french",
    "fre": "french",
    "français": "french",
    "francais": "french",
    "es": "spanish",
    "spa": "spanish",
    "español": "spanish",
    "espanol": "spanish",
    "de": "german",
    "deu": "german",
    "ger": "german",
    "deutsch": "german",
    "pt": "portuguese",
    "português": "portuguese",
    "it": "italian",
    "italiano": "italian",
    "nl": "dutch",
    "zh": "chinese",
    "mandarin": "chinese",
    "ja": "japanese",
    "ar": "arabic",
    "hi": "hindi",
    "ru": "russian",
    "pl": "polish",
    "uk": "ukrainian",
    "ko": "korean",
}

STOPWORDS: frozenset[str] = frozenset(
    """a an and are as at be but by for from how i in into is it its me my of on or our so
    that the their to want wants we with without you your looking learn get better more
    about some new""".split()
)

_SEPARATORS = re.compile(r"[_\-]+")
_WHITESPACE = re.compile(r"\s+")
_EDGE_PUNCTUATION = " \t\n.,;:!?'\"()[]{}"
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SEPARATORS.sub(" ", text)
    return _WHITESPACE.sub(" ", text).strip(_EDGE_PUNCTUATION)


def normalize_term(term: str) -> str:
    """Canonical form of one skill/goal/keyword phrase ("K8s" -> "kubernetes")."""
    cleaned = _clean(term)
    if cleaned in PHRASE_ALIASES:
        return PHRASE_ALIASES[cleaned]
    expanded = " ".join(TOKEN_ALIASES.get(token, token) for token in cleaned.split(" "))
    return PHRASE_ALIASES.get(expanded, expanded)


def normalize_terms(terms: Iterable[str]) -> dict[str, str]:
    """Canonical form -> first original spelling, for every non-empty term."""
    result: dict[str, str] = {}
    for term in terms:
        canonical = normalize_term(term)
        if canonical and canonical not in result:
            result[canonical] = term.strip()
    return result


def normalize_language(language: str) -> str:
    cleaned = _clean(language)
    return LANGUAGE_ALIASES.get(cleaned, cleaned)


def keyword_tokens(terms: Iterable[str]) -> set[str]:
    """Content words of the canonical forms of ``terms``, without stop words."""
    tokens: set[str] = set()
    for term in terms:
        for token in _TOKEN.findall(normalize_term(term)):
            if token not in STOPWORDS:
                tokens.add(token)
    return tokens
