"""Who may see and change a document: one policy for every route.

Someone a document is not shared with gets the same 404 as for an id that does not
exist (in their tenant or any other), so ids never tell them it exists. Seeing it is
enough to read and download; changing it is for its owner.
"""

from __future__ import annotations

from chassis.auth import Principal
from chassis.errors import Conflict, Forbidden, NotFound
from documents.application.ports import Audience, Directory, Documents
from documents.domain.document import Document, stream_id

NO_SUCH_DOCUMENT = "no such document"


def may_see(document: Document, audience: Audience) -> bool:
    if document.owner_user_id == audience.user_id:
        return True
    if document.deleted_at is not None:
        return False
    return (
        audience.user_id in document.shared_users
        or (document.space_id is not None and document.space_id in audience.spaces)
        or (document.shared_program and document.program_id in audience.programs)
        or any(c in audience.conversations for c in document.shared_conversations)
    )


class Access:
    def __init__(self, documents: Documents, directory: Directory) -> None:
        self.documents = documents
        self.directory = directory

    async def audience(self, principal: Principal) -> Audience:
        return await self.directory.audience(principal.tenant_id, principal.user_id)

    async def visible(self, principal: Principal, document_id: str) -> Document:
        """The document if ``principal`` may see it; 404 otherwise."""
        document = await self.documents.load(stream_id(document_id))
        if not document.exists or document.tenant_id != principal.tenant_id:
            raise NotFound(NO_SUCH_DOCUMENT)
        if document.owner_user_id == principal.user_id:
            return document
        if not may_see(document, await self.audience(principal)):
            raise NotFound(NO_SUCH_DOCUMENT)
        return document

    async def owned(
        self, principal: Principal, document_id: str, expected_version: int | None = None
    ) -> Document:
        """The document if ``principal`` owns it (403 if they only see it), at
        ``expected_version`` (the If-Match) if one is given (409 if it moved on)."""
        document = await self.visible(principal, document_id)
        if document.owner_user_id != principal.user_id:
            raise Forbidden("only the owner of a document may change it")
        check_version(document, expected_version)
        return document

    async def space_for_upload(
        self, principal: Principal, program_id: str, space_id: str | None
    ) -> None:
        """An upload goes to a program its uploader belongs to, and to an open space of
        theirs in that program (404 for any other, so spaces do not leak either)."""
        if not await self.directory.is_member(principal.tenant_id, program_id, principal.user_id):
            raise NotFound("no such program among yours", field="program_id")
        if space_id is not None:
            await self.check_space(principal, program_id, space_id)

    async def check_space(self, principal: Principal, program_id: str, space_id: str) -> None:
        space = await self.directory.space(principal.tenant_id, space_id)
        if (
            space is None
            or not space.open
            or space.program_id != program_id
            or principal.user_id not in space.member_user_ids
        ):
            raise NotFound("no such space among yours", field="space_id")


def check_version(document: Document, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != document.version:
        raise Conflict(
            f"the document is at version {document.version}, not {expected_version}: "
            "reload it and apply your change again",
            current_version=document.version,
        )
