"""Uploads: one request (``POST /v1/documents``), or resumable like tus (a session,
``PATCH`` chunks at ``Upload-Offset``, ``HEAD`` for the stored offset, a finish)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from chassis.auth import CurrentPrincipal, Principal
from chassis.errors import InvalidInput
from chassis.http import ExpectedVersion, etag, problems
from documents.application.ports import UploadSession
from documents.application.uploads import NewUpload
from documents.entrypoints.deps import (
    FindCase,
    UploadsCase,
    body_stream,
    content_length,
    raw_body,
)
from documents.entrypoints.schemas import DocumentOut, UploadIn, UploadOut

router = APIRouter(prefix="/v1", tags=["uploads"])
Sha256Header = Annotated[
    str | None,
    Header(
        alias="X-Content-SHA256",
        max_length=64,
        description="The file's SHA-256 (hex); the stored bytes are checked against it.",
    ),
]
TagsQuery = Annotated[list[str] | None, Query(max_length=20)]


def _offset_headers(offset: int, length: int | None) -> dict[str, str]:
    headers = {"Upload-Offset": str(offset), "Cache-Control": "no-store"}
    if length is not None:
        headers["Upload-Length"] = str(length)
    return headers


async def _finished(find: FindCase, principal: Principal, session: UploadSession) -> Response:
    if session.state != "done":
        return JSONResponse(
            UploadOut.of(session).model_dump(mode="json"),
            status_code=202,
            headers={"Location": f"/v1/uploads/{session.upload_id}"},
        )
    document = await find.view(principal, session.document_id)
    return JSONResponse(
        DocumentOut.of(document, principal).model_dump(mode="json"),
        status_code=201,
        headers={
            "Location": f"/v1/documents/{document.document_id}",
            "ETag": etag(document.version),
        },
    )


@router.post(
    "/documents",
    status_code=201,
    response_model=DocumentOut,
    summary="Upload a file in one request (streamed; the body is the file)",
    openapi_extra=raw_body("The file's bytes; Content-Type is checked against them."),
    responses=problems(404, 409, 413, 415),
)
async def upload_document(
    request: Request,
    principal: CurrentPrincipal,
    uploads: UploadsCase,
    find: FindCase,
    program_id: Annotated[str, Query(min_length=1, max_length=128)],
    name: Annotated[str, Query(max_length=1000)],
    space_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    description: Annotated[str, Query(max_length=5000)] = "",
    tags: TagsQuery = None,
    sha256: Sha256Header = None,
) -> Response:
    length = content_length(request)
    if length == 0:
        raise InvalidInput("the file is empty (zero bytes)", field="body")
    new = NewUpload(
        program_id=program_id,
        name=name,
        length=length,
        declared_type=request.headers.get("content-type"),
        sha256=sha256,
        description=description,
        tags=tags or [],
        space_id=space_id,
    )
    session = await uploads.upload(principal, new, body_stream(request))
    return await _finished(find, principal, session)


@router.post(
    "/documents/{document_id}/versions",
    status_code=201,
    response_model=DocumentOut,
    summary="Upload a new version in one request (If-Match: the document's ETag)",
    openapi_extra=raw_body("The new version's bytes."),
    responses=problems(403, 404, 409, 413, 415),
)
async def upload_version(
    document_id: str,
    request: Request,
    principal: CurrentPrincipal,
    uploads: UploadsCase,
    find: FindCase,
    expected: ExpectedVersion,
    sha256: Sha256Header = None,
) -> Response:
    length = content_length(request)
    if length == 0:
        raise InvalidInput("the file is empty (zero bytes)", field="body")
    new = NewUpload(
        program_id=None,
        name=None,
        length=length,
        declared_type=request.headers.get("content-type"),
        sha256=sha256,
        document_id=document_id,
        expected_version=expected,
    )
    session = await uploads.upload(principal, new, body_stream(request))
    return await _finished(find, principal, session)


@router.post(
    "/uploads",
    status_code=201,
    response_model=UploadOut,
    summary="Begin a resumable upload of a new document",
    responses=problems(404, 413, 415),
)
async def begin_upload(
    body: UploadIn, principal: CurrentPrincipal, uploads: UploadsCase, response: Response
) -> UploadOut:
    session = await uploads.start(
        principal,
        NewUpload(
            program_id=body.program_id,
            name=body.name,
            length=body.size,
            declared_type=body.content_type,
            sha256=body.sha256,
            description=body.description,
            tags=body.tags,
            space_id=body.space_id,
        ),
    )
    response.headers.update(_offset_headers(0, session.length))
    response.headers["Location"] = f"/v1/uploads/{session.upload_id}"
    return UploadOut.of(session)


@router.post(
    "/documents/{document_id}/uploads",
    status_code=201,
    response_model=UploadOut,
    summary="Begin a resumable upload of a new version (If-Match: the document's ETag)",
    responses=problems(403, 404, 409, 413, 415),
)
async def begin_version_upload(
    document_id: str,
    body: UploadIn,
    principal: CurrentPrincipal,
    uploads: UploadsCase,
    expected: ExpectedVersion,
    response: Response,
) -> UploadOut:
    session = await uploads.start(
        principal,
        NewUpload(
            program_id=None,
            name=None,
            length=body.size,
            declared_type=body.content_type,
            sha256=body.sha256,
            document_id=document_id,
            expected_version=expected,
        ),
    )
    response.headers.update(_offset_headers(0, session.length))
    response.headers["Location"] = f"/v1/uploads/{session.upload_id}"
    return UploadOut.of(session)


@router.head("/uploads/{upload_id}", summary="The offset the server stored (Upload-Offset)")
async def upload_offset(
    upload_id: str, principal: CurrentPrincipal, uploads: UploadsCase
) -> Response:
    session = await uploads.mine(principal, upload_id)
    return Response(status_code=200, headers=_offset_headers(session.offset, session.length))


@router.get(
    "/uploads/{upload_id}",
    response_model=UploadOut,
    summary="Where an upload stands (offset, state, the document once verified)",
    responses=problems(404),
)
async def upload_status(
    upload_id: str, principal: CurrentPrincipal, uploads: UploadsCase, response: Response
) -> UploadOut:
    session = await uploads.mine(principal, upload_id)
    response.headers.update(_offset_headers(session.offset, session.length))
    return UploadOut.of(session)


@router.put(
    "/uploads/{upload_id}",
    status_code=204,
    include_in_schema=False,  # the same as PATCH, for clients that only PUT
)
@router.patch(
    "/uploads/{upload_id}",
    status_code=204,
    summary="Send bytes from Upload-Offset (409 with the stored offset if it is not that)",
    openapi_extra=raw_body("The next bytes of the file."),
    responses=problems(404, 409, 413, 415),
)
async def upload_chunk(
    upload_id: str,
    request: Request,
    principal: CurrentPrincipal,
    uploads: UploadsCase,
    upload_offset: Annotated[int, Header(alias="Upload-Offset", ge=0)],
) -> Response:
    session = await uploads.write(
        principal, upload_id, upload_offset, body_stream(request), content_length(request)
    )
    return Response(status_code=204, headers=_offset_headers(session.offset, session.length))


@router.post(
    "/uploads/{upload_id}/complete",
    status_code=201,
    response_model=DocumentOut,
    summary="Finish: 201 with the document, or 202 while the stored bytes are verified",
    responses={202: {"model": UploadOut}, **problems(404, 409)},
)
async def complete_upload(
    upload_id: str, principal: CurrentPrincipal, uploads: UploadsCase, find: FindCase
) -> Response:
    session = await uploads.finish(principal, upload_id)
    return await _finished(find, principal, session)


@router.delete(
    "/uploads/{upload_id}",
    status_code=204,
    summary="Cancel an upload (its stored parts are removed)",
    responses=problems(404, 409),
)
async def cancel_upload(
    upload_id: str, principal: CurrentPrincipal, uploads: UploadsCase
) -> Response:
    await uploads.cancel(principal, upload_id)
    return Response(status_code=204)
