"""Keeping the directory (programs, spaces, conversations) in step with other services'
events; a member's erasure also purges every document they own in that program and takes
them off the shares of everyone else's."""

from __future__ import annotations

from typing import Protocol

from documents.application.ports import DocumentIndex, Documents
from documents.application.purging import PurgeDocument
from documents.application.recording import SaveDocument
from documents.domain.document import stream_id


class DirectoryWrites(Protocol):
    async def member_changed(
        self, tenant_id: str, program_id: str, user_id: str, version: int, *, erased: bool
    ) -> bool: ...
    async def space_opened(
        self, tenant_id: str, space_id: str, program_id: str, members: list[str]
    ) -> None: ...
    async def space_ended(self, tenant_id: str, space_id: str, program_id: str) -> None: ...
    async def leave_spaces(self, tenant_id: str, program_id: str, user_id: str) -> None: ...
    async def conversation_seen(
        self, tenant_id: str, conversation_id: str, members: list[str]
    ) -> None: ...


class DirectoryChanges:
    def __init__(
        self,
        directory: DirectoryWrites,
        index: DocumentIndex,
        purge: PurgeDocument,
        documents: Documents,
        save: SaveDocument,
    ) -> None:
        self.directory = directory
        self.index = index
        self.purge = purge
        self.documents = documents
        self.save = save

    async def space_opened(
        self, tenant_id: str, space_id: str, program_id: str, members: list[str]
    ) -> None:
        await self.directory.space_opened(tenant_id, space_id, program_id, members)

    async def space_ended(self, tenant_id: str, space_id: str, program_id: str) -> None:
        await self.directory.space_ended(tenant_id, space_id, program_id)

    async def conversation_seen(
        self, tenant_id: str, conversation_id: str, members: list[str]
    ) -> None:
        await self.directory.conversation_seen(tenant_id, conversation_id, members)

    async def member_changed(
        self, tenant_id: str, program_id: str, user_id: str, version: int, *, erased: bool
    ) -> None:
        await self.directory.member_changed(tenant_id, program_id, user_id, version, erased=erased)
        if erased:  # also on a replay: purging what is left is idempotent
            await self.directory.leave_spaces(tenant_id, program_id, user_id)
            for document_id in await self.index.owned_by(tenant_id, program_id, user_id):
                await self.purge(tenant_id, document_id, "owner_erased")
            for document_id in await self.index.shared_with(tenant_id, program_id, user_id):
                await self._forget_share(tenant_id, document_id, user_id)

    async def _forget_share(self, tenant_id: str, document_id: str, user_id: str) -> None:
        """Others' documents no longer name the erased member among those shared with."""
        document = await self.documents.load(stream_id(document_id))
        if document.exists and document.tenant_id == tenant_id:
            document.forget_user(user_id)
            await self.save(document)
