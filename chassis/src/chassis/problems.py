"""RFC 9457 problem+json responses and their OpenAPI documentation.

Use cases raise :class:`chassis.errors.Problem` subclasses; the handlers installed by
:func:`install_problem_handlers` turn them (and validation errors, unknown routes and
unexpected failures) into ``application/problem+json`` responses. The same call makes the
OpenAPI document say so: every error response of every operation is
``application/problem+json`` with the :class:`ProblemDetails` schema; routes list the
problems of their own (``responses=problems(404, 409)``) and the ones the kit gives are
added where they can happen (401 where a token is needed, 413 where there is a body, 422
where there is input).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from minio.error import S3Error
from pydantic import BaseModel, ConfigDict, Field
from pymongo.errors import ConnectionFailure, OperationFailure
from starlette.exceptions import HTTPException as StarletteHTTPException
from urllib3.exceptions import HTTPError as StorageConnectionError

from chassis.errors import Problem
from chassis.mongo import is_transient

log = logging.getLogger("chassis.problems")

PROBLEM_JSON = "application/problem+json"
#: Seconds a client should wait before retrying while the database is unreachable.
DATABASE_RETRY_AFTER = 5


class FieldError(BaseModel):
    field: str = Field(description="The parameter or body field, dotted (profile.skills.0).")
    message: str


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: every 4xx/5xx of the platform is ``application/problem+json``."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="A URI naming the problem type.")
    title: str = Field(description="Short summary of the problem type (Not found).")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong, in words a person can act on.")
    instance: str | None = Field(default=None, description="The request path.")
    field: str | None = Field(
        default=None,
        description="The parameter, header or body field at fault (for invalid input: the "
        "first one of errors).",
    )
    errors: list[FieldError] | None = Field(
        default=None, description="Invalid input (422): every field at fault."
    )


PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request",
    401: "No valid bearer token",
    403: "Authenticated, but not allowed to do this",
    404: "Not found (or in another tenant, or not visible to you)",
    409: "Conflicts with the current state",
    412: "If-Match names a version that is no longer current",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input (the problem names the field)",
    428: "If-Match is required",
}


def problem_response_doc(status: int, description: str | None = None) -> dict[str, Any]:
    """The OpenAPI response entry of one problem status (for ``responses=``)."""
    # the schema (problem+json, ProblemDetails) is set when the document is built
    return {"description": description or PROBLEM_DESCRIPTIONS.get(status, "Error")}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=problems(404, 409)``: document the problems a route can answer. 401, 413
    and 422 need not be listed: every operation that can get them has them."""
    return {status: problem_response_doc(status) for status in statuses}


def _renderable(value: Any) -> Any:
    """``value`` with every string valid Unicode: a detail or field name that echoes the
    request can carry an unpaired surrogate (from a ``\\ud800`` JSON escape), which UTF-8
    cannot encode; it is shown as the escape it came from."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if isinstance(value, dict):
        return {_renderable(k): _renderable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_renderable(v) for v in value]
    return value


def problem_response(
    status: int, title: str, detail: str, *, instance: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        _renderable(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


#: S3 error codes that mean "not now": MinIO right after a restart, or throttling
STORAGE_NOT_READY = frozenset({"XMinioServerNotInitialized", "ServiceUnavailable", "SlowDown"})


def install_problem_handlers(app: FastAPI) -> None:
    _document_problems(app)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            instance=request.url.path,
            field=exc.field,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_name(e.get("loc", ())), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(
            422,
            "Invalid input",
            detail,
            instance=request.url.path,
            field=errors[0]["field"] if errors else None,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        return problem_response(exc.status_code, title, str(exc.detail), instance=request.url.path)

    def _unavailable(request: Request, exc: Exception, what: str, detail: str) -> JSONResponse:
        log.warning("%s unavailable on %s %s: %s", what, request.method, request.url.path, exc)
        response = problem_response(503, "Service unavailable", detail, instance=request.url.path)
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response

    @app.exception_handler(ConnectionFailure)
    async def _database_unavailable(request: Request, exc: ConnectionFailure) -> JSONResponse:
        # No server, or the connection broke mid-operation: a command's write is one atomic
        # insert, so it happened whole or not at all, and a retry (same Idempotency-Key or
        # If-Match) cannot apply it twice.
        return _unavailable(
            request,
            exc,
            "database",
            "The database is unreachable; retry later (a retry with the same "
            "Idempotency-Key or If-Match is safe).",
        )

    @app.exception_handler(OperationFailure)
    async def _database_failed(request: Request, exc: OperationFailure) -> JSONResponse:
        # The server refused the operation. A transient refusal (lock contention, a
        # transaction the server rolled back) undid the whole write: ask for a retry.
        if is_transient(exc):
            return _unavailable(
                request, exc, "database", "The database is busy; retry later (it is safe)."
            )
        return await _unexpected(request, exc)

    @app.exception_handler(StorageConnectionError)
    async def _storage_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The object storage (MinIO/S3, reached through the blocking ``minio`` client) went
        # away: the request failed as a whole (an upload aborts its multipart upload, or
        # leaves it to the abandoned-upload sweep), so it may be sent again later.
        return _unavailable(
            request, exc, "object storage", "The object storage is unreachable; retry later."
        )

    @app.exception_handler(S3Error)
    async def _storage_refused(request: Request, exc: S3Error) -> JSONResponse:
        # MinIO answers while it starts (or sheds load) with these codes: the request
        # failed as a whole, like an unreachable store
        if exc.code in STORAGE_NOT_READY:
            return _unavailable(
                request, exc, "object storage", "The object storage is starting; retry later."
            )
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "Internal error",
            "An unexpected error occurred; it has been logged.",
            instance=request.url.path,
        )


# --------------------------------------------------------------------------- OpenAPI

_PROBLEM_REF = f"#/components/schemas/{ProblemDetails.__name__}"
_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": _PROBLEM_REF}}}
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _document_problems(app: FastAPI) -> None:
    """Post-process the app's OpenAPI document once, when it is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            problem_json_errors(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def problem_json_errors(document: dict[str, Any]) -> None:
    """Make every error response of ``document`` problem+json, and add the 401/413/422 the
    kit answers to the operations that can get them (FastAPI's own 422 schema, which is
    not what the API answers, is replaced)."""
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if operation.get("security"):
                responses.setdefault("401", {"description": PROBLEM_DESCRIPTIONS[401]})
            if "requestBody" in operation:
                limit = operation.get("x-max-body-bytes")
                description = PROBLEM_DESCRIPTIONS[413]
                if limit is not None:
                    description = f"Request body larger than {limit} bytes"
                responses.setdefault("413", {"description": description})
            if operation.get("parameters") or "requestBody" in operation:
                current = responses.get("422", {})
                if "HTTPValidationError" in str(current) or not current:
                    responses["422"] = {"description": PROBLEM_DESCRIPTIONS[422]}
            for status, response in responses.items():
                if status[:1] in ("4", "5"):
                    response["content"] = dict(_PROBLEM_CONTENT)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    own = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(own.pop("$defs", {}))
    schemas[ProblemDetails.__name__] = own
    # FastAPI's validation error schemas, if nothing refers to them any more
    if "/HTTPValidationError" not in json.dumps(document.get("paths")):
        schemas.pop("HTTPValidationError", None)
    if '"#/components/schemas/ValidationError"' not in json.dumps(document):
        schemas.pop("ValidationError", None)
    document["components"]["schemas"] = dict(sorted(schemas.items()))
