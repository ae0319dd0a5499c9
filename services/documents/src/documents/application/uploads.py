"""Uploads: a byte stream goes into an S3 multipart upload part by part, in constant memory.

The same path serves a one-request upload (``UploadFile``) and a resumable one (a
session, chunks at offsets, a finish). The session records each part once MinIO has it,
so the offset the server reports is what it really stored; bytes after the last whole
part are kept as a small *tail* object until the next chunk (or the finish) completes
the part. The content type is decided from the first bytes before any part is sent, and
the SHA-256 is computed while streaming (on this replica: a resume on another replica, or
after a restart, has the finish re-read the object in the background instead: 202).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chassis.auth import Principal
from chassis.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from documents.application.access import Access
from documents.application.chunk_writer import ChunkWriter
from documents.application.ports import Objects, Sessions, UploadSession
from documents.application.recording import RecordUpload
from documents.domain import content_types
from documents.domain.document import object_key
from documents.domain.errors import UnsupportedType
from documents.domain.rules import checked_description, checked_name, checked_tags

Sniffer = Callable[[bytes], str]
Spawn = Callable[[Awaitable[Any], str], None]


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    part_size: int
    forbidden_types: Collection[str]
    parts_in_flight: int = 2
    writer_stale_seconds: float = 30.0


@dataclass(frozen=True)
class NewUpload:
    """What a client says about a file before sending it (the type is only a claim)."""

    program_id: str | None
    name: str | None
    length: int | None = None
    declared_type: str | None = None
    sha256: str | None = None
    description: str = ""
    tags: list[str] = field(default_factory=list)
    space_id: str | None = None
    document_id: str | None = None  # a new version of this document
    expected_version: int | None = None


class Hashers:
    """The SHA-256 of each upload in progress on this replica, with the offset it covers."""

    def __init__(self) -> None:
        self._by_upload: dict[str, tuple[int, Any]] = {}

    def take(self, upload_id: str, offset: int) -> Any:
        held = self._by_upload.pop(upload_id, None)
        if held is not None and held[0] == offset:
            return held[1]
        return hashlib.sha256() if offset == 0 else None

    def keep(self, upload_id: str, offset: int, hasher: Any) -> None:
        self._by_upload[upload_id] = (offset, hasher)

    def digest(self, upload_id: str, offset: int) -> str | None:
        held = self._by_upload.pop(upload_id, None)
        return held[1].hexdigest() if held is not None and held[0] == offset else None

    def forget(self, upload_id: str) -> None:
        self._by_upload.pop(upload_id, None)


class Uploads:
    """The upload use cases, sharing the session store, objects and limits."""

    def __init__(
        self,
        *,
        access: Access,
        sessions: Sessions,
        objects: Objects,
        record: RecordUpload,
        sniff: Sniffer,
        limits: UploadLimits,
        spawn: Spawn,
        hashers: Hashers | None = None,
    ) -> None:
        self.access = access
        self.sessions = sessions
        self.objects = objects
        self.record = record
        self.sniff = sniff
        self.limits = limits
        self.spawn = spawn
        self.hashers = hashers or Hashers()

    # --- sessions ------------------------------------------------------------------------

    async def start(self, principal: Principal, new: NewUpload) -> UploadSession:
        """Open a session: check where the file goes, then begin the multipart upload."""
        if new.length is not None:
            if new.length == 0:
                raise InvalidInput("the file is empty (zero bytes)", field="length")
            if new.length > self.limits.max_bytes:
                raise PayloadTooLarge(
                    f"the file has {new.length} bytes; the limit is {self.limits.max_bytes}",
                    field="length",
                    limit=self.limits.max_bytes,
                )
        if new.sha256 is not None and not _is_sha256(new.sha256):
            raise InvalidInput("sha256 is 64 hexadecimal digits", field="sha256")
        content_types.refuse_forbidden(new.declared_type, self.limits.forbidden_types)
        if new.document_id is not None:
            document = await self.access.owned(principal, new.document_id, new.expected_version)
            if document.deleted_at is not None:
                raise Conflict("this document is deleted: restore it first")
            program_id, name, document_id = document.program_id, document.name, new.document_id
            expected = document.version
        else:
            if not new.program_id:
                raise InvalidInput("say which program the document is for", field="program_id")
            name = checked_name(new.name or "")
            program_id, document_id, expected = new.program_id, new_document_id(), None
            await self.access.space_for_upload(principal, program_id, new.space_id)
        now = datetime.now(UTC)
        key = object_key(principal.tenant_id, document_id, uuid.uuid4().hex)
        session = UploadSession(
            upload_id=uuid.uuid4().hex,
            tenant_id=principal.tenant_id,
            user_id=principal.user_id,
            program_id=program_id,
            document_id=document_id,
            new_document=new.document_id is None,
            name=name,
            description=checked_description(new.description),
            tags=checked_tags(new.tags),
            space_id=new.space_id,
            expected_version=expected,
            length=new.length,
            declared_type=new.declared_type,
            sha256=new.sha256.lower() if new.sha256 else None,
            key=key,
            s3_upload_id=await self.objects.start_multipart(key, content_types.OCTET_STREAM),
            created_at=now,
            updated_at=now,
        )
        try:
            await self.sessions.add(session)
        except BaseException:
            await self.objects.abort_multipart(key, session.s3_upload_id)
            raise
        return session

    async def mine(self, principal: Principal, upload_id: str) -> UploadSession:
        session = await self.sessions.get(upload_id)
        if (
            session is None
            or session.tenant_id != principal.tenant_id
            or session.user_id != principal.user_id
        ):
            raise NotFound("no such upload")
        return session

    async def abort(self, session: UploadSession) -> None:
        """Leave nothing behind: the multipart upload (or the object it became if it was
        not recorded), the tail, the session."""
        self.hashers.forget(session.upload_id)
        if session.state == "open":
            await self.objects.abort_multipart(session.key, session.s3_upload_id)
        stale = [session.tail_key] if session.state == "done" else [session.tail_key, session.key]
        await self.objects.remove(stale)
        await self.sessions.remove(session.upload_id)

    async def cancel(self, principal: Principal, upload_id: str) -> None:
        session = await self.mine(principal, upload_id)
        if session.state == "verifying":
            raise Conflict("this upload is being verified; it cannot be cancelled now")
        if session.state == "done":
            raise Conflict("this upload is finished: delete the document instead")
        await self.abort(session)

    # --- chunks --------------------------------------------------------------------------

    async def write(
        self,
        principal: Principal,
        upload_id: str,
        offset: int,
        body: AsyncIterator[bytes],
        declared_length: int | None = None,
    ) -> UploadSession:
        """Store a chunk that starts at ``offset``; answers the session (its new offset).
        A wrong offset is a 409 naming the right one."""
        session = await self.mine(principal, upload_id)
        try:
            return await self._write_at(session, offset, body, declared_length, final=False)
        except UnsupportedType:
            await self.abort(session)  # the file itself is refused, not this chunk
            raise

    async def _write_at(
        self,
        session: UploadSession,
        offset: int,
        body: AsyncIterator[bytes],
        declared_length: int | None,
        *,
        final: bool,
    ) -> UploadSession:
        if session.state != "open":
            raise Conflict(f"this upload is {session.state}", offset=session.offset)
        if offset != session.offset:
            raise Conflict(
                f"this upload has {session.offset} bytes stored: send from offset {session.offset}",
                field="Upload-Offset",
                offset=session.offset,
            )
        limit = session.length if session.length is not None else self.limits.max_bytes
        if declared_length is not None and offset + declared_length > limit:
            raise PayloadTooLarge(
                f"this chunk would end at byte {offset + declared_length}; the upload has "
                f"{limit} bytes at most",
                limit=limit,
            )
        claim = f"{session.upload_id}@{offset}"
        if not await self.sessions.claim(
            claim, session.upload_id, stale_after=self.limits.writer_stale_seconds
        ):
            raise Conflict("another request is writing this upload", offset=offset)
        try:
            writer = ChunkWriter(self, session, claim, limit, final=final)
            await writer.run(body)
        finally:
            await self.sessions.release(claim)
        return session

    # --- finishing -----------------------------------------------------------------------

    async def finish(self, principal: Principal, upload_id: str) -> UploadSession:
        """Complete the multipart upload and record the document. ``state`` of the answer
        is ``done`` (verified now) or ``verifying`` (re-read in the background)."""
        session = await self.mine(principal, upload_id)
        return await self._finish(session)

    async def _finish(self, session: UploadSession) -> UploadSession:
        if session.state in ("done", "verifying"):
            return session
        if session.state == "failed":
            raise Conflict(f"this upload failed: {session.error}")
        if session.offset == 0:
            await self.abort(session)
            raise InvalidInput("the file is empty (zero bytes)", field="length")
        if session.length is not None and session.offset != session.length:
            raise Conflict(
                f"this upload has {session.offset} of {session.length} bytes",
                offset=session.offset,
            )
        claim = f"finish:{session.upload_id}"
        if not await self.sessions.claim(
            claim, session.upload_id, stale_after=self.limits.writer_stale_seconds
        ):
            return session
        if session.tail_size:
            tail = await self.objects.read_bytes(session.tail_key, limit=self.limits.part_size)
            number = len(session.parts) + 1
            etag = await self.objects.upload_part(session.key, session.s3_upload_id, number, tail)
            session.parts.append((number, etag, len(tail)))
            session.tail_size = 0
            await self.sessions.put(session)
            await self.objects.remove([session.tail_key])
        await self.objects.complete_multipart(
            session.key, session.s3_upload_id, [(n, etag) for n, etag, _ in session.parts]
        )
        digest = self.hashers.digest(session.upload_id, session.offset)
        if digest is None:
            session.state = "verifying"
            await self.sessions.put(session)
            self.spawn(self._verify_later(session), f"verify-{session.upload_id}")
            return session
        return await self.record.verified(session, digest)

    async def verify_again(self, session: UploadSession) -> None:
        """Verify a finished upload whose verifier died with its replica."""
        if session.state == "verifying":
            await self._verify_later(session)

    async def _verify_later(self, session: UploadSession) -> None:
        hasher = hashlib.sha256()
        async for data in self.objects.stream(session.key):
            hasher.update(data)
        try:
            await self.record.verified(session, hasher.hexdigest())
        except Exception:  # recorded on the session as its error; the client polls it
            pass

    # --- one request ---------------------------------------------------------------------

    async def upload(
        self,
        principal: Principal,
        new: NewUpload,
        body: AsyncIterator[bytes],
    ) -> UploadSession:
        """A whole file in one request (its Content-Length, if sent, is ``new.length``)."""
        session = await self.start(principal, new)
        try:
            await self._write_at(session, 0, body, new.length, final=True)
            return await self._finish(session)
        except BaseException:
            if session.state != "done":
                await asyncio.shield(self.abort(session))
            raise


def new_document_id() -> str:
    """Ids that sort by creation (milliseconds, then randomness): lists page by id."""
    return f"{time.time_ns() // 1_000_000:012x}{uuid.uuid4().hex[:20]}"


def _is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value)
