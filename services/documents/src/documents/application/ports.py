"""What the use cases need from the outside world (implemented in ``adapters/``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from chassis.eventstore import Publish
from documents.domain.document import Document

UploadState = Literal["open", "verifying", "done", "failed"]


@dataclass
class UploadSession:
    """Where one upload stands. ``offset`` = bytes stored: the recorded parts plus the
    tail (the bytes after the last whole part, kept as a small object until more come)."""

    upload_id: str
    tenant_id: str
    user_id: str
    program_id: str
    document_id: str
    new_document: bool
    name: str
    key: str
    s3_upload_id: str
    created_at: datetime
    updated_at: datetime
    length: int | None = None
    declared_type: str | None = None
    sha256: str | None = None
    description: str = ""
    tags: list[str] = field(default_factory=list)
    space_id: str | None = None
    expected_version: int | None = None
    parts: list[tuple[int, str, int]] = field(default_factory=list)
    tail_size: int = 0
    offset: int = 0
    content_type: str | None = None
    state: UploadState = "open"
    error: str | None = None
    stored_sha256: str | None = None

    @property
    def parts_bytes(self) -> int:
        return sum(size for _, _, size in self.parts)

    @property
    def tail_key(self) -> str:
        return f"{self.key}.tail"


class Objects(Protocol):
    async def start_multipart(self, key: str, content_type: str) -> str: ...
    async def upload_part(self, key: str, upload_id: str, number: int, data: bytes) -> str: ...
    async def complete_multipart(
        self, key: str, upload_id: str, parts: Sequence[tuple[int, str]]
    ) -> None: ...
    async def abort_multipart(self, key: str, upload_id: str) -> None: ...
    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...
    async def read_bytes(self, key: str, *, limit: int) -> bytes: ...
    def stream(
        self, key: str, start: int = 0, length: int | None = None, chunk: int = ...
    ) -> AsyncIterator[bytes]: ...
    async def remove(self, keys: Sequence[str]) -> None: ...
    async def size(self, key: str) -> int | None: ...
    def presigned_get(self, key: str, seconds: int) -> str: ...


class Sessions(Protocol):
    async def add(self, session: UploadSession) -> None: ...
    async def get(self, upload_id: str) -> UploadSession | None: ...
    async def put(self, session: UploadSession) -> None: ...
    async def remove(self, upload_id: str) -> None: ...
    async def idle_since(self, before: datetime, limit: int = 100) -> list[UploadSession]: ...
    async def claim(self, name: str, upload_id: str, *, stale_after: float) -> bool: ...
    async def refresh(self, name: str) -> None: ...
    async def release(self, name: str) -> None: ...


class Documents(Protocol):
    async def load(self, stream_id: str) -> Document: ...
    async def save(self, aggregate: Document, *, messages: Sequence[Publish] = ()) -> Any: ...


@dataclass(frozen=True)
class Space:
    """A mentorship's shared space (made by ``match-made``; closed when it ends)."""

    tenant_id: str
    space_id: str
    program_id: str
    member_user_ids: tuple[str, ...]
    open: bool


@dataclass(frozen=True)
class Audience:
    """What a user belongs to, which decides the documents they may see."""

    user_id: str
    spaces: frozenset[str]
    programs: frozenset[str]
    conversations: frozenset[str]


class Directory(Protocol):
    """Who belongs where: programs (from profile-changed), spaces (from match-made and
    mentorship-ended), conversations (from message-sent)."""

    async def space(self, tenant_id: str, space_id: str) -> Space | None: ...
    async def is_member(self, tenant_id: str, program_id: str, user_id: str) -> bool: ...
    async def audience(self, tenant_id: str, user_id: str) -> Audience: ...


@dataclass(frozen=True)
class SearchQuery:
    text: str | None = None
    tag: str | None = None
    content_type: str | None = None
    owner_user_id: str | None = None
    space_id: str | None = None
    program_id: str | None = None
    deleted: bool = False


class DocumentIndex(Protocol):
    async def project(self, document: Document) -> None: ...
    async def search(
        self,
        tenant_id: str,
        audience: Audience | None,
        query: SearchQuery,
        after: str | None,
        limit: int,
    ) -> list[dict[str, Any]]: ...
    async def owned_by(self, tenant_id: str, program_id: str, user_id: str) -> list[str]: ...
    async def shared_with(self, tenant_id: str, program_id: str, user_id: str) -> list[str]: ...
    async def deleted_before(self, before: str, limit: int = 100) -> list[dict[str, Any]]: ...


class MediaJobs(Protocol):
    async def add(self, tenant_id: str, document_id: str, version: int) -> None: ...
