"""Reading content: a version's bytes (the whole file or one range), streamed from
storage, for someone the document is shared with or the holder of a signed link."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from chassis.auth import Principal
from chassis.errors import InvalidInput, NotFound
from documents.application.access import NO_SUCH_DOCUMENT, Access
from documents.application.ports import Documents, Objects
from documents.domain import links
from documents.domain.document import Document, stream_id
from documents.domain.ranges import ByteRange, requested_range


@dataclass(frozen=True)
class Content:
    """What a download answers: the headers' facts and the body's bytes."""

    name: str
    content_type: str
    size: int
    sha256: str
    version: int
    range: ByteRange | None
    body: AsyncIterator[bytes]


@dataclass(frozen=True)
class Link:
    token: str
    expires_at: int


class Downloads:
    def __init__(
        self,
        access: Access,
        documents: Documents,
        objects: Objects,
        *,
        link_secret: bytes,
        link_max_seconds: int,
    ) -> None:
        self.access = access
        self.documents = documents
        self.objects = objects
        self.link_secret = link_secret
        self.link_max_seconds = link_max_seconds

    async def content(
        self, principal: Principal, document_id: str, version: int | None, range_header: str | None
    ) -> Content:
        document = await self.access.visible(principal, document_id)
        return self._open(document, version, range_header)

    async def preview(self, principal: Principal, document_id: str) -> AsyncIterator[bytes]:
        document = await self.access.visible(principal, document_id)
        media = document.media.get(str(document.current["number"]), {})
        if not media.get("preview_key"):
            raise NotFound("this document has no preview (yet)")
        return self.objects.stream(media["preview_key"])

    async def link(
        self, principal: Principal, document_id: str, version: int | None, seconds: int
    ) -> Link:
        if not 1 <= seconds <= self.link_max_seconds:
            raise InvalidInput(
                f"a link lives 1 to {self.link_max_seconds} seconds", field="expires_in"
            )
        document = await self.access.visible(principal, document_id)
        number = document.version_of(version)["number"]
        grant = links.LinkGrant(
            principal.tenant_id, document_id, number, int(time.time()) + seconds
        )
        return Link(links.sign(grant, self.link_secret), grant.expires_at)

    async def by_link(self, token: str, range_header: str | None) -> Content:
        grant = links.verify(token, self.link_secret, time.time())
        document = await self.documents.load(stream_id(grant.document_id))
        if (
            not document.exists
            or document.tenant_id != grant.tenant_id
            or document.deleted_at is not None
        ):
            raise NotFound(NO_SUCH_DOCUMENT)
        return self._open(document, grant.version, range_header)

    def _open(self, document: Document, version: int | None, range_header: str | None) -> Content:
        chosen = document.version_of(version)
        size = chosen["size"]
        wanted = requested_range(range_header, size)
        start, length = (wanted.start, wanted.length) if wanted else (0, size)
        return Content(
            name=document.name,
            content_type=chosen["content_type"],
            size=size,
            sha256=chosen["sha256"],
            version=chosen["number"],
            range=wanted,
            body=self.objects.stream(chosen["object_key"], start, length),
        )
