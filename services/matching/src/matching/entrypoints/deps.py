"""What the matching routes share: the service container, bounded id path parameters, and
the idempotent create that every creating POST answers through (the kit's
:func:`chassis.http.idempotent_create` with the service's idempotency store)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from chassis.http import Created, CreateOnce, create_once, from_app_state
from matching.application.service import MatchingService

IdPath = Annotated[str, Path(min_length=1, max_length=128)]
Service = Annotated[MatchingService, Depends(from_app_state("matching"))]
M = TypeVar("M", bound=BaseModel)


Creates = Annotated[
    CreateOnce, create_once(lambda request: from_app_state("matching")(request).idempotency)
]


async def create_as(
    once: CreateOnce,
    body: BaseModel,
    model: type[M],
    action: Callable[[], Awaitable[dict[str, Any]]],
    location: Callable[[M], str],
) -> JSONResponse:
    """An idempotent create answering ``model`` built from the use case's result."""

    async def create() -> Created:
        out = model.model_validate(await action())
        return Created(out, location=location(out))

    return await once(body, create)
