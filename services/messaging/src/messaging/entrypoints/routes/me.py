"""What is mine across conversations: threads, search, digest preference."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chassis.auth import CurrentPrincipal
from chassis.http import problems
from messaging.entrypoints.deps import Service
from messaging.entrypoints.schemas import DigestIn, DigestOut, MessageOut, ThreadRow, items

router = APIRouter(prefix="/v1", tags=["messaging"])


@router.get(
    "/threads",
    response_model=list[ThreadRow],
    summary="Threads I started, wrote in or was mentioned in, newest reply first",
)
async def my_threads(
    principal: CurrentPrincipal,
    service: Service,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[ThreadRow]:
    return items(await service.threads(principal, limit), ThreadRow)


@router.get(
    "/search",
    response_model=list[MessageOut],
    summary="Messages with every word of q, in my conversations (or one of them)",
    responses=problems(404),
)
async def search(
    principal: CurrentPrincipal,
    service: Service,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    conversation_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[MessageOut]:
    return items(await service.search(principal, q, limit, conversation_id), MessageOut)


@router.get("/me/digest", response_model=DigestOut, summary="How often I get unread-message mail")
async def get_digest(principal: CurrentPrincipal, service: Service) -> DigestOut:
    return DigestOut.model_validate(await service.digest.get(principal))


@router.put(
    "/me/digest",
    response_model=DigestOut,
    summary="Set how often I get unread-message mail (off, hourly, daily)",
)
async def set_digest(body: DigestIn, principal: CurrentPrincipal, service: Service) -> DigestOut:
    return DigestOut.model_validate(await service.digest(principal, body.frequency))
