"""Request body limits: the size, enforced while streaming (not only from Content-Length),
and what a JSON body an endpoint parses itself may contain."""

from __future__ import annotations

import json
import sys
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.errors import InvalidInput, problem_response


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, *, exempt_prefixes: tuple[str, ...] = ()):
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        seen = 0
        rejected = False

        async def limited_receive() -> Message:
            nonlocal seen, rejected
            message = await receive()
            if message["type"] == "http.request" and not rejected:
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Answer 413 ourselves; the app sees a disconnect and its reply is dropped.
                    rejected = True
                    await self._reject(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not rejected:
                raise

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413,
            "Payload too large",
            f"request body exceeds the limit of {self.max_bytes} bytes",
            instance=scope["path"],
        )
        await response(scope, receive, send)


#: How deeply a JSON body may nest (arrays and objects); Python's parser itself gives up
#: (RecursionError) somewhere near 1,000.
MAX_JSON_DEPTH = 64


def parse_json_body(raw: bytes, *, field: str = "body") -> Any:
    """Parse a JSON request body an endpoint reads itself, or raise ``InvalidInput``.

    Refuses what ``json.loads`` would turn into a 500 or into text nothing downstream can
    store: bytes that are not UTF-8, malformed JSON, nesting deeper than
    :data:`MAX_JSON_DEPTH`, integers longer than Python converts (4,300 digits), and unpaired
    surrogates (``"\\ud800"`` escapes), which UTF-8, BSON and Kafka cannot encode.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"the body is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            field=field,
        ) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}", field=field) from None
    except RecursionError:
        raise InvalidInput(
            f"the body nests deeper than {MAX_JSON_DEPTH} levels", field=field
        ) from None
    except ValueError:  # the only other one: an integer past Python's conversion limit
        raise InvalidInput(
            f"the body has an integer longer than {sys.get_int_max_str_digits()} digits",
            field=field,
        ) from None
    check_json_value(value, field=field)
    return value


def check_json_value(value: Any, *, field: str = "body") -> None:
    """Raise ``InvalidInput`` naming the first place in a parsed JSON value that nests too
    deeply or holds a string (value or key) with an unpaired surrogate."""
    stack: list[tuple[Any, list[str], int]] = [(value, [], 0)]
    while stack:
        item, path, depth = stack.pop()
        where = ".".join(path) if path else field
        if isinstance(item, str):
            check_text(item, where)
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise InvalidInput(
                    f"the body nests deeper than {MAX_JSON_DEPTH} levels", field=field
                )
            if isinstance(item, dict):
                for key, child in item.items():
                    check_text(key, where)
                    stack.append((child, [*path, key], depth + 1))
            else:
                for index, child in enumerate(item):
                    stack.append((child, [*path, str(index)], depth + 1))


def check_text(text: str, where: str) -> None:
    """Raise ``InvalidInput`` naming ``where`` for text UTF-8 cannot encode (an unpaired
    surrogate, from a ``\\ud800`` JSON escape): no database or topic can store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        escape = f"\\u{ord(text[exc.start]):04x}"
        raise InvalidInput(
            f"{where}: text with an unpaired surrogate ({escape}) is not valid Unicode",
            field=where,
        ) from None
