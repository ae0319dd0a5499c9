"""The HTTP conventions every service's API follows, declared once.

* **pagination**: :data:`Limit` (bounded page size) and :data:`Cursor` (opaque: the
  ``next_cursor`` of the previous :class:`Page`);
* **idempotent creates**: the :data:`IdempotencyKey` header and :func:`idempotent_create`,
  which answers a retried create with the first response (201, ``Location``, ``ETag``);
* **optimistic concurrency**: an aggregate's version is its ``ETag`` (:func:`set_etag`);
  edits send it back in ``If-Match`` (:data:`ExpectedVersion`, or :data:`RequiredVersion`
  where editing blindly is refused with 428); the use case answers 412 when it is stale;
* **documented errors**: ``responses=problems(404, 409)`` on a route documents its
  ``application/problem+json`` answers (:class:`ProblemDetails`); the ones the chassis
  itself gives (401 without a token, 413 for a large body, 422 for invalid input) are added
  to every operation that can get them when the document is built
  (:func:`chassis.problems.install_problem_handlers`);
* :func:`from_app_state`: the dependency that hands a route its service object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from chassis.auth import CurrentPrincipal, Principal
from chassis.errors import InvalidInput, PreconditionRequired
from chassis.idempotency import MAX_KEY_LENGTH, IdempotencyStore
from chassis.problems import ProblemDetails, problems

__all__ = [
    "Created",
    "Cursor",
    "ExpectedVersion",
    "IdempotencyKey",
    "IfMatchHeader",
    "Limit",
    "Page",
    "ProblemDetails",
    "RequiredVersion",
    "etag",
    "from_app_state",
    "idempotent_create",
    "limit_query",
    "parse_if_match",
    "problems",
    "set_etag",
]

T = TypeVar("T")

# --------------------------------------------------------------------------- pagination

MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 500


def limit_query(maximum: int = MAX_PAGE_SIZE) -> Any:
    """The ``limit`` query parameter, 1..``maximum`` (``Annotated[int, limit_query(50)]``
    for a route whose pages are smaller)."""
    return Query(ge=1, le=maximum, description=f"Page size, 1 to {maximum}.")


Limit = Annotated[int, limit_query()]
Cursor = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_LENGTH,
        description="Opaque: the next_cursor of the previous page (omit for the first page).",
    ),
]


class Page(BaseModel, Generic[T]):
    """One page of a list; ``next_cursor`` is null on the last page."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as ?cursor= for the next page; null: no more items."
    )


# --------------------------------------------------------------------------- idempotency

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        # visible ASCII, spaces only inside (a UUID, a ULID, any client-chosen token)
        pattern=r"^[!-~]([ -~]*[!-~])?$",
        description="Retrying a create with the same key (and body) returns the first "
        f"response instead of creating twice; 1-{MAX_KEY_LENGTH} visible ASCII characters.",
    ),
]


@dataclass(frozen=True)
class Created:
    """What a create answers: the new thing, where it lives, and its version (ETag).

    ``body`` is dumped as JSON without the fields it was not given, so a view that hides a
    field leaves it out instead of showing null.
    """

    body: BaseModel
    location: str | None = None
    version: int | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.location is not None:
            headers["Location"] = self.location
        if self.version is not None:
            headers["ETag"] = etag(self.version)
        return headers


async def idempotent_create(
    store: IdempotencyStore,
    request: Request,
    principal: Principal,
    key: str | None,
    body: BaseModel,
    create: Callable[[], Awaitable[Created]],
) -> JSONResponse:
    """Run ``create`` once per ``Idempotency-Key`` of this user on this route: a retry with
    the same key and body gets the stored 201 (``Idempotent-Replayed: true``), the same key
    with another body 422, a retry while the first is running 409. No key: just create."""

    async def action() -> tuple[int, Any, dict[str, str]]:
        created = await create()
        body = created.body.model_dump(mode="json", by_alias=True, exclude_unset=True)
        return 201, body, created.headers()

    return await store.run(
        key=key,
        scope=(principal.tenant_id, principal.user_id, request.method, request.url.path),
        body=body.model_dump(mode="json"),
        action=action,
    )


@dataclass(frozen=True)
class CreateOnce:
    """A creating request's idempotency, as a route dependency (:func:`create_once`):
    ``await once(body, create)`` is :func:`idempotent_create` for this request."""

    store: IdempotencyStore
    request: Request
    principal: Principal
    key: str | None

    async def __call__(
        self, body: BaseModel, create: Callable[[], Awaitable[Created]]
    ) -> JSONResponse:
        return await idempotent_create(
            self.store, self.request, self.principal, self.key, body, create
        )


def create_once(store: Callable[[Request], IdempotencyStore]) -> Any:
    """``Annotated[CreateOnce, create_once(...)]``: the route gets its request's
    :class:`CreateOnce` (and documents the ``Idempotency-Key`` header) in one parameter."""

    def dependency(
        request: Request, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
    ) -> CreateOnce:
        return CreateOnce(store(request), request, principal, idempotency_key)

    return Depends(dependency)


# --------------------------------------------------------------------------- ETag / If-Match

IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=100,
        description='The ETag of the version you edit, as the last GET returned it ("3").',
    ),
]


def etag(version: int) -> str:
    """The (strong) ETag of an aggregate version: ``"3"``."""
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def parse_if_match(value: str | None, *, required: bool) -> int | None:
    """The version an ``If-Match`` names; None when absent or ``*`` (unless ``required``:
    then 428). A value that is not one of our ETags is 422 naming the header."""
    if value is None or value.strip() == "*":
        if required:
            raise PreconditionRequired(
                "send If-Match with the ETag from your last GET (edits never overwrite blindly)",
                field="If-Match",
            )
        return None
    raw = value.strip()
    raw = raw[2:] if raw.startswith("W/") else raw
    raw = raw.strip('"')
    # str.isdigit() also takes "²", which int() refuses; a bounded length keeps int() cheap
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise InvalidInput(f"If-Match {value!r} is not an ETag of this API", field="If-Match")
    return int(raw)


def _expected_version(if_match: IfMatchHeader = None) -> int | None:
    return parse_if_match(if_match, required=False)


def _required_version(if_match: IfMatchHeader = None) -> int:
    version = parse_if_match(if_match, required=True)
    assert version is not None
    return version


#: The version an edit expects (``If-Match``), or None to edit whatever is current.
ExpectedVersion = Annotated[int | None, Depends(_expected_version)]
#: The version an edit expects; without ``If-Match`` the request is refused (428).
RequiredVersion = Annotated[int, Depends(_required_version)]


# --------------------------------------------------------------------------- services


def from_app_state(name: str) -> Callable[[Request], Any]:
    """A dependency returning ``app.state.<name>`` (the service object bootstrap put there):
    ``Service = Annotated[ProfilesService, Depends(from_app_state("profiles"))]``."""

    def dependency(request: Request) -> Any:
        return getattr(request.app.state, name)

    dependency.__name__ = f"get_{name}"
    return dependency
