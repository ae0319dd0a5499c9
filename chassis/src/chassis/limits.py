"""Request body limits: the size, enforced while streaming (not only from Content-Length),
and what a JSON body an endpoint parses itself may contain.

Every route takes bodies up to the service's ``max_request_body_bytes`` (1 MB). A route
that needs more (a bulk import) names the setting that bounds it, in its declaration::

    @router.post("/import", openapi_extra=larger_body("max_import_body_bytes"))

and :func:`install_body_limits` (called by the service app) resolves it; the OpenAPI
document states each operation's limit as ``x-max-body-bytes``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.errors import InvalidInput
from chassis.problems import problem_response
from chassis.text import check_text

#: The OpenAPI extension stating an operation's body limit in bytes.
BODY_LIMIT_KEY = "x-max-body-bytes"
_SETTING_KEY = "x-max-body-bytes-setting"  # replaced by BODY_LIMIT_KEY when installed


def larger_body(setting: str) -> dict[str, Any]:
    """For a route's ``openapi_extra``: its body may be as large as the service setting
    ``setting`` (bytes) instead of ``max_request_body_bytes``."""
    return {_SETTING_KEY: setting}


def install_body_limits(app: FastAPI, settings: BaseModel, *, default: int) -> None:
    """Add :class:`BodySizeLimit` to ``app`` with ``default`` for every route and the
    larger limits routes declared (:func:`larger_body`), and state each operation's limit in
    the OpenAPI document. Call it after the routers are included. A route naming a setting
    the service lacks fails here, at startup."""
    overrides: list[tuple[Any, int]] = []
    by_operation: dict[tuple[str, str], int] = {}
    for context in iter_route_contexts(app.router.routes):
        extra = getattr(context, "openapi_extra", None) or {}
        setting = extra.get(_SETTING_KEY)
        if setting is None:
            continue
        if not hasattr(settings, setting):
            raise AttributeError(
                f"{context.path}: body limit setting {setting!r} is not a setting of "
                f"{type(settings).__name__}"
            )
        limit = int(getattr(settings, setting))
        overrides.append((context, limit))
        for method in context.methods or ():
            by_operation[(context.path_format or context.path or "", method.lower())] = limit
    app.add_middleware(BodySizeLimit, max_bytes=default, routes=tuple(overrides))
    build = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        document = build()
        if first:
            _document_limits(document, default, by_operation)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _document_limits(
    document: dict[str, Any], default: int, by_operation: dict[tuple[str, str], int]
) -> None:
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            operation.pop(_SETTING_KEY, None)
            if "requestBody" not in operation:
                continue
            limit = by_operation.get((path, method), default)
            operation[BODY_LIMIT_KEY] = limit
            too_large = operation.setdefault("responses", {}).setdefault("413", {})
            too_large["description"] = f"Request body larger than {limit} bytes"


class BodySizeLimit:
    """413 problem+json for a body over the limit: at once from ``Content-Length``, and
    while streaming for a body without one (or larger than it said)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        *,
        exempt_prefixes: tuple[str, ...] = (),
        routes: Sequence[tuple[Any, int]] = (),
    ):
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = exempt_prefixes
        self.routes = tuple(routes)

    def limit_for(self, scope: Scope) -> int:
        """The limit of the route ``scope`` is for (routes given a limit of their own are
        few: each is matched as the router would)."""
        for route, limit in self.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit_for(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await self._reject(scope, receive, send, max_bytes)
            return
        seen = 0
        rejected = False

        async def limited_receive() -> Message:
            nonlocal seen, rejected
            message = await receive()
            if message["type"] == "http.request" and not rejected:
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    # Answer 413 ourselves; the app sees a disconnect and its reply is dropped.
                    rejected = True
                    await self._reject(scope, receive, send, max_bytes)
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

    async def _reject(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        response = problem_response(
            413,
            "Payload too large",
            f"request body exceeds the limit of {max_bytes} bytes",
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
