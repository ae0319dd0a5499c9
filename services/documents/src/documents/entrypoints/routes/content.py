"""Content: streamed downloads with HTTP Range, previews, and signed links for players."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from chassis.auth import CurrentPrincipal
from chassis.http import problems
from chassis.problems import problem_response
from documents.application.downloads import Content
from documents.domain.errors import RangeNotSatisfiable
from documents.entrypoints.deps import DownloadsCase
from documents.entrypoints.schemas import LinkIn, LinkOut

router = APIRouter(prefix="/v1", tags=["content"])
RangeHeader = Annotated[str | None, Header(alias="Range", max_length=200)]
VersionQuery = Annotated[int | None, Query(ge=1, description="A version number; default: newest")]
_INLINE = ("image/", "video/", "audio/", "application/pdf", "text/plain")


def _disposition(name: str, content_type: str) -> str:
    kind = "inline" if content_type.startswith(_INLINE) else "attachment"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _answer(request: Request, content: Content) -> Response:
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Type": content.content_type,
        "Content-Disposition": _disposition(content.name, content.content_type),
        "ETag": f'"{content.sha256}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, no-cache",
        "X-Document-Version": str(content.version),
    }
    status = 200
    length = content.size
    if content.range is not None:
        status = 206
        length = content.range.length
        headers["Content-Range"] = content.range.content_range(content.size)
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers)
    return StreamingResponse(content.body, status_code=status, headers=headers)


def _unsatisfiable(request: Request, exc: RangeNotSatisfiable) -> Response:
    response = problem_response(416, exc.title, exc.detail, instance=request.url.path)
    response.headers["Content-Range"] = f"bytes */{exc.extra.get('size', 0)}"
    return response


@router.head("/documents/{document_id}/content", include_in_schema=False)
@router.get(
    "/documents/{document_id}/content",
    summary="Download (Range: bytes=... for 206 partial content)",
    response_class=StreamingResponse,
    responses={206: {"description": "Partial content"}, **problems(404, 416)},
)
async def download(
    document_id: str,
    request: Request,
    principal: CurrentPrincipal,
    downloads: DownloadsCase,
    version: VersionQuery = None,
    range_header: RangeHeader = None,
) -> Response:
    try:
        content = await downloads.content(principal, document_id, version, range_header)
    except RangeNotSatisfiable as exc:
        return _unsatisfiable(request, exc)
    return _answer(request, content)


@router.get(
    "/documents/{document_id}/preview",
    summary="The thumbnail (images) or first-page preview (PDFs), JPEG",
    response_class=StreamingResponse,
    responses=problems(404),
)
async def preview(
    document_id: str, principal: CurrentPrincipal, downloads: DownloadsCase
) -> Response:
    body = await downloads.preview(principal, document_id)
    return StreamingResponse(
        body, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"}
    )


@router.post(
    "/documents/{document_id}/links",
    response_model=LinkOut,
    status_code=201,
    summary="A short-lived signed link to a version (for players that cannot send a token)",
    responses=problems(404),
)
async def make_link(
    document_id: str, body: LinkIn, principal: CurrentPrincipal, downloads: DownloadsCase
) -> LinkOut:
    link = await downloads.link(principal, document_id, body.version, body.expires_in)
    return LinkOut(url=f"/v1/links/{link.token}", expires_at=link.expires_at)


@router.head("/links/{token}", include_in_schema=False)
@router.get(
    "/links/{token}",
    summary="Download through a signed link (403 if changed, 410 once expired); no token",
    response_class=StreamingResponse,
    responses={206: {"description": "Partial content"}, **problems(403, 404, 410, 416)},
)
async def download_by_link(
    token: str,
    request: Request,
    downloads: DownloadsCase,
    range_header: RangeHeader = None,
) -> Response:
    try:
        content = await downloads.by_link(token, range_header)
    except RangeNotSatisfiable as exc:
        return _unsatisfiable(request, exc)
    return _answer(request, content)
