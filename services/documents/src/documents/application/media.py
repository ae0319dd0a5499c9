"""Describing media in the background: probe audio and video, make a thumbnail for an
image and a first-page preview for a PDF, and record what was found on the document.

Jobs are durable (one per version, queued with the upload); a replica claims a job with
a lease, so a crashed worker's job is picked up again once its lease ends. A file that
cannot be read as what it claims gets a note, never a retry loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from documents.application.ports import Documents, Objects
from documents.application.recording import SaveDocument
from documents.domain.document import stream_id

log = logging.getLogger("documents.media")

Probe = Callable[[str], Awaitable[dict[str, Any]]]
Preview = Callable[[bytes], Awaitable[tuple[bytes, dict[str, Any]]]]


class JobQueue(Protocol):
    wakeup: asyncio.Event

    async def pending(self, limit: int = 20) -> list[dict[str, Any]]: ...
    async def claim(self, job_id: str) -> bool: ...
    async def done(self, job_id: str) -> None: ...


class MediaWorker:
    def __init__(
        self,
        *,
        queue: JobQueue,
        documents: Documents,
        save: SaveDocument,
        objects: Objects,
        probe: Probe,
        image_thumbnail: Preview,
        pdf_preview: Preview,
        max_source_bytes: int,
        poll_seconds: float,
    ) -> None:
        self.queue = queue
        self.documents = documents
        self.save = save
        self.objects = objects
        self.probe = probe
        self.image_thumbnail = image_thumbnail
        self.pdf_preview = pdf_preview
        self.max_source_bytes = max_source_bytes
        self.poll_seconds = poll_seconds

    async def run(self) -> None:
        while True:
            try:
                for job in await self.queue.pending():
                    if await self.queue.claim(job["_id"]):
                        await self.describe(job["tenant_id"], job["document_id"], job["version"])
                        await self.queue.done(job["_id"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("media job failed; retried on the next pass")
            self.queue.wakeup.clear()
            try:
                await asyncio.wait_for(self.queue.wakeup.wait(), self.poll_seconds)
            except TimeoutError:
                pass

    async def describe(self, tenant_id: str, document_id: str, number: int) -> None:
        document = await self.documents.load(stream_id(document_id))
        if not document.exists or document.tenant_id != tenant_id:
            return
        version = document.version_of(number)
        kind, key = version["content_type"], version["object_key"]
        media: dict[str, Any] = {}
        preview_key = None
        if kind.startswith(("video/", "audio/")):
            media = await self.probe(self.objects.presigned_get(key, 600))
        elif kind.startswith("image/") or kind == "application/pdf":
            if version["size"] > self.max_source_bytes:
                media = {"note": "too large for a preview"}
            else:
                make = self.pdf_preview if kind == "application/pdf" else self.image_thumbnail
                try:
                    data = await self.objects.read_bytes(key, limit=self.max_source_bytes)
                    preview, media = await make(data)
                except Exception as exc:  # unreadable as what its signature says
                    media = {
                        "note": f"no preview: the file could not be read ({type(exc).__name__})"
                    }
                else:
                    preview_key = f"{key}.preview.jpg"
                    await self.objects.put_bytes(preview_key, preview, "image/jpeg")
        else:
            return
        document.describe_media(number, media, preview_key)
        await self.save(document)
