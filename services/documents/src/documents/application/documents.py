"""Changing a document: rename, describe, tag, move, share, delete, restore, and restore
an old version. Each is one command on the aggregate, by its owner, at the version the
client last saw (If-Match)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from chassis.auth import Principal
from chassis.errors import InvalidInput
from documents.application.access import Access
from documents.application.recording import SaveDocument
from documents.domain.document import Document
from documents.domain.rules import checked_description, checked_name, checked_tags


@dataclass(frozen=True)
class Changes:
    """What a PATCH asks for; ``None`` leaves a field as it is. ``space_id`` "" moves the
    document out of its space."""

    name: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    space_id: str | None = None


@dataclass(frozen=True)
class Shares:
    user_ids: tuple[str, ...] = ()
    conversation_ids: tuple[str, ...] = ()
    program: bool = False


def _now() -> str:
    return datetime.now(UTC).isoformat()


class EditDocument:
    def __init__(self, access: Access, save: SaveDocument) -> None:
        self.access = access
        self.save = save

    async def change(
        self, principal: Principal, document_id: str, changes: Changes, expected: int | None
    ) -> Document:
        document = await self.access.owned(principal, document_id, expected)
        if changes.name is not None:
            document.rename(checked_name(changes.name))
        if changes.description is not None:
            document.describe(checked_description(changes.description))
        if changes.tags is not None:
            document.tag(checked_tags(changes.tags))
        if changes.space_id is not None:
            target = changes.space_id or None
            if target is not None:
                await self.access.check_space(principal, document.program_id, target)
            document.move(target)
        return await self.save(document)

    async def share(
        self, principal: Principal, document_id: str, shares: Shares, expected: int | None
    ) -> Document:
        document = await self.access.owned(principal, document_id, expected)
        if principal.user_id in shares.user_ids:
            raise InvalidInput("you own this document already", field="user_ids")
        document.share(list(shares.user_ids), list(shares.conversation_ids), shares.program)
        return await self.save(document)

    async def unshare(
        self, principal: Principal, document_id: str, shares: Shares, expected: int | None
    ) -> Document:
        document = await self.access.owned(principal, document_id, expected)
        document.unshare(list(shares.user_ids), list(shares.conversation_ids), shares.program)
        return await self.save(document)

    async def delete(self, principal: Principal, document_id: str, expected: int | None) -> None:
        document = await self.access.owned(principal, document_id, expected)
        document.delete(by=principal.user_id, at=_now())
        await self.save(document)

    async def undelete(
        self, principal: Principal, document_id: str, expected: int | None
    ) -> Document:
        document = await self.access.owned(principal, document_id, expected)
        document.undelete(by=principal.user_id)
        return await self.save(document)

    async def restore_version(
        self, principal: Principal, document_id: str, number: int, expected: int | None
    ) -> Document:
        """The old version becomes the newest (same stored object, no copy)."""
        document = await self.access.owned(principal, document_id, expected)
        document.restore_version(number, by=principal.user_id, at=_now())
        return await self.save(document)
