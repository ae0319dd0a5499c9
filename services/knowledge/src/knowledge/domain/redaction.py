"""Personal data out of shared text: e-mails, phone numbers, links with secrets, names.

An exchange is shared because its *knowledge* is useful to the program; who said it, how to
reach them and the private links they pasted are not. Names come from the program's member
directory (the only names the service can know) and become roles ("the mentor", "the
mentee", "a colleague"), so the text still reads. Redaction runs on the draft and again on
every edit an author makes. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

EMAIL_MASK = "[email removed]"
PHONE_MASK = "[phone removed]"
LINK_MASK = "[link removed]"

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# A run of digits with the separators phone numbers use (no newlines), optionally + first.
_PHONE = re.compile(r"(?<![\w+./-])\+?\(?\d[\d \t().\-/]{5,22}\d(?![\w/])")
_ISO_DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$")
_DOTTED = re.compile(r"^\d{1,3}(?:\.\d{1,3}){2,3}$")  # IPv4 addresses, version numbers
_GROUPS = re.compile(r"\d+")
_AREA_CODE = re.compile(r"\(\d{1,5}\)")  # (415) 555-0132, +44 (0)20 ...
_SECRET_PARAMS = frozenset(
    {
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "auth",
        "key",
        "api_key",
        "apikey",
        "sig",
        "signature",
        "secret",
        "password",
        "pwd",
        "pass",
        "session",
        "sid",
        "code",
        "ticket",
        "otp",
        "jwt",
        "invite",
        "x-amz-signature",
        "x-amz-credential",
        "x-goog-signature",
        "se",
        "sp",
        "sv",
    }
)
_RANDOM_PART = re.compile(r"[A-Za-z0-9_\-]{16,}")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)$")


@dataclass(frozen=True)
class Person:
    """Someone of the directory whose name may appear, and the role that replaces it."""

    display_name: str
    role: str  # "the mentor", "the mentee", "a colleague"


@dataclass(frozen=True)
class Redacted:
    text: str
    counts: Counter[str] = field(default_factory=Counter)


def _has_secret(url: str) -> bool:
    parts = urlsplit(url if "://" in url else "https://" + url)
    if parts.username or parts.password:
        return True
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in _SECRET_PARAMS or _random(value):
            return True
    return any(_random(piece) for piece in (*parts.path.split("/"), parts.fragment))


def _random(piece: str) -> bool:
    """A long run of letters and digits mixed: a token, not a word or a slug."""
    for run in _RANDOM_PART.findall(piece):
        letters = sum(c.isalpha() for c in run)
        digits = sum(c.isdigit() for c in run)
        if digits >= 3 and letters >= 3 and "-" not in run.strip("-"):
            return True
        if digits >= 3 and letters >= 3 and sum(c.isupper() for c in run) >= 2:
            return True
    return False


def is_phone(candidate: str) -> bool:
    """Whether a digit run is a phone number rather than a date, version, address or size."""
    digits = sum(c.isdigit() for c in candidate)
    if not 7 <= digits <= 15:
        return False
    body = candidate.strip()
    bare = body.strip("()")
    if _ISO_DATE.match(bare) or _DOTTED.match(bare):
        return False
    groups = _GROUPS.findall(body)
    marked = body.startswith("+") or _AREA_CODE.search(body) is not None
    if len(groups) == 1:
        return digits >= 9 or marked  # a bare 9-15 digit number
    if "/" in body and not marked:
        return False  # 12/03/2024, 3/4
    if not marked and any(len(g) >= 5 for g in groups[1:]) and not groups[0].startswith("0"):
        return False  # "8080 27017": ports, counts
    return True


class Redactor:
    """Masks personal data in text; ``people`` are the directory's names and their roles."""

    def __init__(self, people: Iterable[Person] = ()) -> None:
        self._names: list[tuple[re.Pattern[str], str]] = []
        seen: set[str] = set()
        patterns: list[tuple[str, re.Pattern[str], str]] = []
        for person in people:
            name = " ".join(person.display_name.split())
            if len(name) < 2:
                continue
            variants = [(name, re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE))]
            for part in name.split(" "):
                part = part.strip(".,()")
                if len(part) >= 2 and part[0].isupper():
                    variants.append((part, re.compile(rf"(?<!\w){re.escape(part)}(?!\w)")))
            for text, pattern in variants:
                key = text.lower() if pattern.flags & re.IGNORECASE else text
                if key not in seen:
                    seen.add(key)
                    patterns.append((text, pattern, person.role))
        # longest first: "Ana Lima" before "Ana"
        patterns.sort(key=lambda item: len(item[0]), reverse=True)
        self._names = [(pattern, role) for _, pattern, role in patterns]

    def redact(self, text: str) -> Redacted:
        counts: Counter[str] = Counter()

        def link(match: re.Match[str]) -> str:
            url = match.group(0).rstrip(".,;:!?)]")
            tail = match.group(0)[len(url) :]
            if _has_secret(url):
                counts["link"] += 1
                return LINK_MASK + tail
            return match.group(0)

        def email(_: re.Match[str]) -> str:
            counts["email"] += 1
            return EMAIL_MASK

        def phone(match: re.Match[str]) -> str:
            if not is_phone(match.group(0)):
                return match.group(0)
            counts["phone"] += 1
            return PHONE_MASK

        text = _URL.sub(link, text)
        text = _EMAIL.sub(email, text)
        text = _PHONE.sub(phone, text)
        for pattern, role in self._names:
            text = _replace_name(pattern, role, text, counts)
        return Redacted(text, counts)

    def redact_all(self, texts: Sequence[str]) -> tuple[list[str], Counter[str]]:
        total: Counter[str] = Counter()
        out = []
        for text in texts:
            redacted = self.redact(text)
            out.append(redacted.text)
            total.update(redacted.counts)
        return out, total


def _replace_name(pattern: re.Pattern[str], role: str, text: str, counts: Counter[str]) -> str:
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        if _inside_mask(text, match.start()):
            continue
        before = text[: match.start()]
        replacement = role[0].upper() + role[1:] if _SENTENCE_START.search(before) else role
        pieces += [text[last : match.start()], replacement]
        last = match.end()
        counts["name"] += 1
    pieces.append(text[last:])
    return "".join(pieces)


def _inside_mask(text: str, index: int) -> bool:
    opening = text.rfind("[", 0, index)
    return opening != -1 and text.find("]", opening) > index
