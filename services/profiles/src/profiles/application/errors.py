"""Turning a pydantic validation error of a partial update into a 422 naming the field."""

from __future__ import annotations

from pydantic import ValidationError

from chassis.errors import InvalidInput, PreconditionFailed


def invalid(exc: ValidationError) -> InvalidInput:
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return InvalidInput(detail, field=errors[0]["field"] if errors else None, errors=errors)


def check_if_match(if_match: int | None, version: int) -> None:
    if if_match is not None and if_match != version:
        raise PreconditionFailed(
            f"If-Match names version {if_match} but the current version is {version}; "
            "reload and apply your change again",
            current_version=version,
        )
