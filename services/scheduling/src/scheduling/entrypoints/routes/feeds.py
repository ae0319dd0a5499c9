"""Your private calendar subscription feed (webcal), and the feed itself.

The feed route takes no bearer token: calendar apps cannot send one. The URL's token is
the credential (see ``application/feeds.py``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from chassis.auth import CurrentPrincipal
from chassis.http import problems
from scheduling.adapters import ics
from scheduling.entrypoints.deps import Service
from scheduling.entrypoints.schemas import FeedOut

router = APIRouter(prefix="/v1", tags=["scheduling"])
Token = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post(
    "/me/calendar-feed",
    status_code=201,
    response_model=FeedOut,
    summary="Create your private feed URL (your earlier feed URLs stop working)",
)
async def create_feed(principal: CurrentPrincipal, service: Service, request: Request) -> FeedOut:
    token = await service.feeds.create(principal)
    base = request.app.state.public_base_url.rstrip("/")
    url = f"{base}/v1/calendar-feeds/{token}.ics"
    return FeedOut(url=url, webcal_url="webcal://" + url.split("://", 1)[1])


@router.delete(
    "/me/calendar-feed",
    status_code=204,
    summary="Revoke your feed URLs",
)
async def revoke_feed(principal: CurrentPrincipal, service: Service) -> Response:
    await service.feeds.revoke(principal)
    return Response(status_code=204)


@router.get(
    "/calendar-feeds/{token}.ics",
    response_class=Response,
    summary="A member's calendar feed (the token in the URL is the credential)",
    responses={200: {"content": {"text/calendar": {}}}, **problems(404, 410)},
)
async def read_feed(token: Token, service: Service) -> Response:
    user, meetings = await service.feeds.meetings(token)
    return Response(
        ics.feed(meetings, user),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
