"""A document's metadata: read, change, share, delete and restore; versions; finding."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from chassis.auth import CurrentPrincipal
from chassis.http import Cursor, ExpectedVersion, Page, limit_query, problems, set_etag
from documents.application.documents import Changes, Shares
from documents.application.ports import SearchQuery
from documents.entrypoints.deps import EditCase, FindCase
from documents.entrypoints.schemas import (
    ChangesIn,
    DocumentOut,
    DocumentSummary,
    SharesIn,
    VersionOut,
    version_out,
)

router = APIRouter(prefix="/v1", tags=["documents"])
Limit = Annotated[int, limit_query(100)]


@router.get(
    "/documents",
    response_model=Page[DocumentSummary],
    summary="Search what you may see: by name, tag, type (image/ for a family) and owner",
)
async def search_documents(
    principal: CurrentPrincipal,
    find: FindCase,
    q: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    type: Annotated[str | None, Query(max_length=255)] = None,
    owner: Annotated[str | None, Query(max_length=255)] = None,
    program_id: Annotated[str | None, Query(max_length=128)] = None,
    deleted: Annotated[bool, Query(description="Your deleted documents (restorable)")] = False,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[DocumentSummary]:
    query = SearchQuery(
        text=q,
        tag=tag,
        content_type=type,
        owner_user_id=owner,
        program_id=program_id,
        deleted=deleted,
    )
    rows, next_cursor = await find.search(principal, query, cursor, limit)
    return Page(items=[DocumentSummary.of(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/spaces/{space_id}/documents",
    response_model=Page[DocumentSummary],
    summary="A mentorship space's documents (for its members)",
    responses=problems(404),
)
async def space_documents(
    space_id: str,
    principal: CurrentPrincipal,
    find: FindCase,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[DocumentSummary]:
    rows, next_cursor = await find.space(principal, space_id, cursor, limit)
    return Page(items=[DocumentSummary.of(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/documents/{document_id}",
    response_model=DocumentOut,
    summary="A document (ETag: its revision)",
    responses=problems(404),
)
async def view_document(
    document_id: str, principal: CurrentPrincipal, find: FindCase, response: Response
) -> DocumentOut:
    document = await find.view(principal, document_id)
    set_etag(response, document.version)
    return DocumentOut.of(document, principal)


@router.get(
    "/documents/{document_id}/versions",
    response_model=list[VersionOut],
    summary="Every version, oldest first",
    responses=problems(404),
)
async def list_versions(
    document_id: str, principal: CurrentPrincipal, find: FindCase
) -> list[VersionOut]:
    document = await find.view(principal, document_id)
    return [version_out(document, v) for v in document.versions]


@router.patch(
    "/documents/{document_id}",
    response_model=DocumentOut,
    summary="Rename, describe, tag or move (If-Match: 409 if it changed since)",
    responses=problems(403, 404, 409),
)
async def change_document(
    document_id: str,
    body: ChangesIn,
    principal: CurrentPrincipal,
    edit: EditCase,
    expected: ExpectedVersion,
    response: Response,
) -> DocumentOut:
    document = await edit.change(
        principal,
        document_id,
        Changes(
            name=body.name, description=body.description, tags=body.tags, space_id=body.space_id
        ),
        expected,
    )
    set_etag(response, document.version)
    return DocumentOut.of(document, principal)


@router.post(
    "/documents/{document_id}/shares",
    response_model=DocumentOut,
    summary="Share with people, conversations or the whole program",
    responses=problems(403, 404, 409),
)
async def share_document(
    document_id: str,
    body: SharesIn,
    principal: CurrentPrincipal,
    edit: EditCase,
    expected: ExpectedVersion,
    response: Response,
) -> DocumentOut:
    shares = Shares(tuple(body.user_ids), tuple(body.conversation_ids), body.program)
    document = await edit.share(principal, document_id, shares, expected)
    set_etag(response, document.version)
    return DocumentOut.of(document, principal)


@router.post(
    "/documents/{document_id}/shares/remove",
    response_model=DocumentOut,
    summary="Stop sharing with people, conversations or the program",
    responses=problems(403, 404, 409),
)
async def unshare_document(
    document_id: str,
    body: SharesIn,
    principal: CurrentPrincipal,
    edit: EditCase,
    expected: ExpectedVersion,
    response: Response,
) -> DocumentOut:
    shares = Shares(tuple(body.user_ids), tuple(body.conversation_ids), body.program)
    document = await edit.unshare(principal, document_id, shares, expected)
    set_etag(response, document.version)
    return DocumentOut.of(document, principal)


@router.delete(
    "/documents/{document_id}",
    status_code=204,
    summary="Delete (restorable until it is purged)",
    responses=problems(403, 404, 409),
)
async def delete_document(
    document_id: str, principal: CurrentPrincipal, edit: EditCase, expected: ExpectedVersion
) -> Response:
    await edit.delete(principal, document_id, expected)
    return Response(status_code=204)


@router.post(
    "/documents/{document_id}/restore",
    response_model=DocumentOut,
    summary="Undo a delete",
    responses=problems(403, 404, 409),
)
async def restore_document(
    document_id: str,
    principal: CurrentPrincipal,
    edit: EditCase,
    expected: ExpectedVersion,
    response: Response,
) -> DocumentOut:
    document = await edit.undelete(principal, document_id, expected)
    set_etag(response, document.version)
    return DocumentOut.of(document, principal)


@router.post(
    "/documents/{document_id}/versions/{number}/restore",
    response_model=DocumentOut,
    summary="Make an old version the newest (the history is kept)",
    responses=problems(403, 404, 409),
)
async def restore_version(
    document_id: str,
    number: int,
    principal: CurrentPrincipal,
    edit: EditCase,
    expected: ExpectedVersion,
    response: Response,
) -> DocumentOut:
    document = await edit.restore_version(principal, document_id, number, expected)
    set_etag(response, document.version)
    return DocumentOut.of(document, principal)
