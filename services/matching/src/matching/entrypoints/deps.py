"""What the matching routes share: the service container, bounded id path parameters, and
the idempotent create that every creating POST answers through (the kit's
:func:`chassis.http.idempotent_create` with the service's idempotency store)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from chassis.auth import Principal
from chassis.http import Created, from_app_state, idempotent_create
from matching.application.service import MatchingService

IdPath = Annotated[str, Path(min_length=1, max_length=128)]
Service = Annotated[MatchingService, Depends(from_app_state("matching"))]
M = TypeVar("M", bound=BaseModel)


async def create_once(
    service: MatchingService,
    principal: Principal,
    request: Request,
    key: str | None,
    body: BaseModel,
    model: type[M],
    action: Callable[[], Awaitable[dict[str, Any]]],
    location: Callable[[M], str],
) -> JSONResponse:
    """An idempotent create answering ``model`` built from the use case's result."""

    async def create() -> Created:
        out = model.model_validate(await action())
        return Created(out, location=location(out))

    return await idempotent_create(service.idempotency, request, principal, key, body, create)
