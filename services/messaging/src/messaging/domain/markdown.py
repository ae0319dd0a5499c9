"""Message text: Markdown in, checked on the way in, rendered to inert HTML.

The source is what is stored (and edited); raw HTML in it is refused rather than
silently dropped, so what the sender sees is what the others read. The rendering is
markdown-it (HTML off) passed through nh3's allow-list: no scripts, styles, event
handlers, iframes or images, links only to http(s)/mailto and with ``rel="nofollow
noopener noreferrer"``.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

from chassis.errors import InvalidInput
from chassis.text import check_text

MAX_BODY = 10_000
_checking = MarkdownIt("commonmark", {"html": True})
_rendering = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")
TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
_WORD = re.compile(r"\w{2,}", re.UNICODE)


def _has_html(tokens: list) -> bool:
    for token in tokens:
        if token.type in ("html_block", "html_inline"):
            return True
        if token.children and _has_html(token.children):
            return True
    return False


def check_body(source: str, field: str = "body") -> str:
    """The source to store, or InvalidInput: empty, too long, not Unicode, or HTML."""
    check_text(source, field)
    text = source.strip()
    if not text:
        raise InvalidInput("a message needs some text", field=field)
    if len(text) > MAX_BODY:
        raise InvalidInput(f"a message has at most {MAX_BODY} characters", field=field)
    if "\x00" in text:
        raise InvalidInput("a message cannot contain NUL characters", field=field)
    if _has_html(_checking.parse(text)):
        raise InvalidInput("HTML is not accepted in messages: write Markdown", field=field)
    return text


def render(source: str) -> str:
    """Inert HTML for a checked source."""
    return nh3.clean(
        _rendering.render(source),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def terms(source: str) -> list[str]:
    """The distinct lower-case words of a text (the search index of a message)."""
    return sorted({w.lower() for w in _WORD.findall(source)})[:2000]
