"""What a document's name, description and tags may be (pure)."""

from __future__ import annotations

import unicodedata

from chassis.errors import InvalidInput
from chassis.text import check_text

MAX_NAME = 255
MAX_DESCRIPTION = 5000
MAX_TAGS = 20
MAX_TAG = 50


def _control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def checked_name(name: str, field: str = "name") -> str:
    """A file name shown to people and sent as a download name: no path, no control
    characters (which would let a name pose as a folder or forge a header)."""
    check_text(name, field)
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"a name is 1 to {MAX_NAME} characters", field=field)
    if "/" in name or "\\" in name:
        raise InvalidInput("a name may not contain a path separator (/ or \\)", field=field)
    if any(_control(c) for c in name):
        raise InvalidInput("a name may not contain control characters", field=field)
    if name.strip() != name or name in (".", ".."):
        raise InvalidInput(
            "a name may not start or end with spaces, nor be '.' or '..'", field=field
        )
    return unicodedata.normalize("NFC", name)


def checked_description(text: str) -> str:
    check_text(text, "description")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"a description is at most {MAX_DESCRIPTION} characters", field="description"
        )
    if any(_control(c) and c not in "\n\t" for c in text):
        raise InvalidInput("a description may not contain control characters", field="description")
    return text


def checked_tags(tags: list[str]) -> list[str]:
    """Tags are case-insensitive labels: stored lower-case, each once, in the given order."""
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags", field="tags")
    result: list[str] = []
    for tag in tags:
        check_text(tag, "tags")
        label = unicodedata.normalize("NFC", tag.strip()).lower()
        if not label or len(label) > MAX_TAG or any(_control(c) for c in label):
            raise InvalidInput(
                f"a tag is 1 to {MAX_TAG} characters without control characters", field="tags"
            )
        if label not in result:
            result.append(label)
    return result
