"""The errors a use case or a domain rule raises, by what went wrong.

Pure (no web framework imported), so domain packages can raise them;
:mod:`chassis.problems` turns them into RFC 9457 ``application/problem+json`` responses
with the matching status.
"""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    """A failure the caller can act on. ``status`` picks the HTTP code."""

    status: int = 400
    title: str = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class InvalidInput(Problem):
    status, title = 422, "Invalid input"


class Unauthorized(Problem):
    status, title = 401, "Unauthorized"


class Forbidden(Problem):
    status, title = 403, "Forbidden"


class NotFound(Problem):
    status, title = 404, "Not found"


class Conflict(Problem):
    status, title = 409, "Conflict"


class PreconditionFailed(Problem):
    status, title = 412, "Precondition failed"


class PayloadTooLarge(Problem):
    status, title = 413, "Payload too large"


class PreconditionRequired(Problem):
    status, title = 428, "Precondition required"
