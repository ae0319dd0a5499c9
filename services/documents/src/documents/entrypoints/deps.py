"""What a route is handed: the use cases :mod:`documents.bootstrap` put on ``app.state``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.requests import ClientDisconnect

from chassis.http import from_app_state
from chassis.limits import larger_body
from documents.application.chunk_writer import BodyInterrupted
from documents.application.documents import EditDocument
from documents.application.downloads import Downloads
from documents.application.queries import FindDocuments
from documents.application.uploads import Uploads

UploadsCase = Annotated[Uploads, Depends(from_app_state("uploads"))]
EditCase = Annotated[EditDocument, Depends(from_app_state("edit_document"))]
FindCase = Annotated[FindDocuments, Depends(from_app_state("find_documents"))]
DownloadsCase = Annotated[Downloads, Depends(from_app_state("downloads"))]


def raw_body(description: str) -> dict[str, Any]:
    """``openapi_extra`` of a route that streams its body itself: documents the body and
    lets it be as large as ``max_upload_bytes``."""
    return {
        **larger_body("max_upload_bytes"),
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        },
    }


async def body_stream(request: Request) -> AsyncIterator[bytes]:
    """The request body as it arrives; a client that goes away is :class:`BodyInterrupted`."""
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        raise BodyInterrupted from None


def content_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None
