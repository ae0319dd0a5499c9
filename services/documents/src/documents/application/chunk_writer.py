"""One chunk of an upload written into S3 multipart parts, in constant memory."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from chassis.errors import PayloadTooLarge
from documents.application.ports import UploadSession
from documents.domain import content_types

if TYPE_CHECKING:
    from documents.application.uploads import Uploads

SNIFF_BYTES = 8192


class BodyInterrupted(Exception):
    """The client went away in the middle of the body."""


class ChunkWriter:
    """One chunk's bytes into parts: up to ``parts_in_flight`` part uploads at a time,
    each recorded on the session (in order) once stored. Hashing runs in a worker thread
    and the session is written in the background (coalesced), so neither holds up the
    next bytes; both are settled before the request answers."""

    def __init__(
        self, uploads: Uploads, session: UploadSession, claim: str, limit: int, *, final: bool
    ) -> None:
        self.u = uploads
        self.session = session
        self.claim = claim
        self.limit = limit
        self.final = final
        self.part_size = uploads.limits.part_size
        self.hasher = uploads.hashers.take(session.upload_id, session.offset)
        self.hashed = session.offset
        self.hashing: asyncio.Task[None] | None = None
        self.persisting: asyncio.Task[None] | None = None
        self.dirty = False
        self.refreshed = time.monotonic()
        self.carry: list[bytes] = []
        self.carry_size = 0
        self.received = session.offset
        self.in_flight: deque[tuple[asyncio.Task[str], int, bytes]] = deque()

    async def run(self, body: AsyncIterator[bytes]) -> None:
        session = self.session
        try:
            if session.tail_size:
                tail = await self.u.objects.read_bytes(session.tail_key, limit=self.part_size)
                self.carry, self.carry_size = [tail], len(tail)
            try:
                async for data in body:
                    if data:
                        await self._take(data)
            except BodyInterrupted:
                await self._drain()
                await self._store_tail()
                raise
            self._sniff()
            await self._drain()
            if self.final and self.carry_size:
                await self._send_part(b"".join(self.carry))
                self.carry, self.carry_size = [], 0
                await self._drain()
            else:
                await self._store_tail()
        except BaseException:
            for task, _, _ in self.in_flight:
                task.cancel()
            raise
        finally:
            await asyncio.shield(self._settle())

    async def _settle(self) -> None:
        """Finish hashing and write the session as it stands (what MinIO has)."""
        session = self.session
        try:
            if self.hashing is not None:
                await self.hashing
        except Exception:
            self.hasher = None
        if self.hasher is not None and self.hashed == session.offset:
            self.u.hashers.keep(session.upload_id, session.offset, self.hasher)
        if self.persisting is not None:
            await self.persisting
        if self.dirty:
            await self._persist()

    async def _take(self, data: bytes) -> None:
        if self.received + len(data) > self.limit:
            raise PayloadTooLarge(f"the upload is larger than {self.limit} bytes", limit=self.limit)
        self.carry.append(data)
        self.carry_size += len(data)
        self.received += len(data)
        if self.session.content_type is None and self.carry_size < SNIFF_BYTES:
            return
        self._sniff()
        while self.carry_size >= self.part_size:
            blob = b"".join(self.carry)
            part, rest = blob[: self.part_size], blob[self.part_size :]
            self.carry, self.carry_size = ([rest] if rest else []), len(rest)
            await self._send_part(part)

    def _sniff(self) -> None:
        session = self.session
        if session.content_type is not None or not self.carry:
            return
        head = b"".join(self.carry)[:SNIFF_BYTES]
        session.content_type = content_types.decide(
            session.declared_type, self.u.sniff(head), self.u.limits.forbidden_types
        )

    async def _send_part(self, part: bytes) -> None:
        number = len(self.session.parts) + len(self.in_flight) + 1
        task = asyncio.create_task(
            self.u.objects.upload_part(self.session.key, self.session.s3_upload_id, number, part)
        )
        self.in_flight.append((task, number, part))
        # a part is recorded as soon as it is stored, even while the client pauses
        task.add_done_callback(lambda _: self._record_stored())
        while len(self.in_flight) >= self.u.limits.parts_in_flight:
            await self._record_oldest()

    async def _drain(self) -> None:
        while self.in_flight:
            await self._record_oldest()

    async def _record_oldest(self) -> None:
        task = self.in_flight[0][0]
        await asyncio.wait([task])  # its done-callback may have recorded it already
        task.result()  # a failed part upload fails the chunk
        self._record_stored()

    def _record_stored(self) -> None:
        """Record the parts stored so far, in order (up to the first still uploading)."""
        session = self.session
        while self.in_flight and self.in_flight[0][0].done():
            task, number, part = self.in_flight[0]
            if task.cancelled() or task.exception() is not None:
                return
            self.in_flight.popleft()
            start = session.parts_bytes
            session.parts.append((number, task.result(), len(part)))
            session.tail_size = 0
            session.offset = session.parts_bytes
            self._hash(start, part)
            self._persist_soon()

    async def _store_tail(self) -> None:
        """Keep the bytes after the last whole part, so the offset is all that came."""
        session = self.session
        if not self.carry_size or session.content_type is None:
            return
        tail = b"".join(self.carry)
        start = session.parts_bytes
        await self.u.objects.put_bytes(session.tail_key, tail, content_types.OCTET_STREAM)
        session.tail_size = len(tail)
        session.offset = start + len(tail)
        self._hash(start, tail)
        self._persist_soon()

    def _persist_soon(self) -> None:
        self.dirty = True
        if self.persisting is None or self.persisting.done():
            self.persisting = asyncio.create_task(self._persist())

    async def _persist(self) -> None:
        while self.dirty:
            self.dirty = False
            await self.u.sessions.put(self.session)  # the session as it is at this moment
            if time.monotonic() - self.refreshed > self.u.limits.writer_stale_seconds / 3:
                self.refreshed = time.monotonic()
                await self.u.sessions.refresh(self.claim)

    def _hash(self, start: int, data: bytes) -> None:
        """Hash the bytes after ``self.hashed`` in a worker thread, in order."""
        if self.hasher is None or self.hashed < start:
            self.hasher = None
            return
        skip = self.hashed - start
        if skip >= len(data):
            return
        previous, hasher, view = self.hashing, self.hasher, memoryview(data)[skip:]

        async def update() -> None:
            if previous is not None:
                await previous
            await asyncio.to_thread(hasher.update, view)

        self.hashing = asyncio.create_task(update())
        self.hashed = start + len(data)
