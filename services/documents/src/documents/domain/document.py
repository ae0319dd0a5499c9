"""The document aggregate: one stream per document, every change a typed event.

A document belongs to a program and an owner, may live in a space (a mentorship's shared
space), and may be shared with people, conversations or the whole program. Its content
is a list of versions; a new upload or the restore of an old version appends one, so the
history is never rewritten. Deletion is soft (restorable) until the document is purged.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import Field

from chassis.domain import Aggregate, DomainEvent, applies
from chassis.errors import Conflict, NotFound

MAX_VERSIONS = 1000
MAX_SHARES = 500


def stream_id(document_id: str) -> str:
    return f"document-{document_id}"


_PLAIN_TENANT = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def tenant_prefix(tenant_id: str) -> str:
    """Where a tenant's objects live (``t/<tenant>/``), so its data is listed, exported or
    erased on its own; a tenant id that is not a plain name is hashed into one."""
    plain = _PLAIN_TENANT.match(tenant_id)
    name = tenant_id if plain else hashlib.sha256(tenant_id.encode()).hexdigest()[:40]
    return f"t/{name}/"


def object_key(tenant_id: str, document_id: str, unique: str) -> str:
    return f"{tenant_prefix(tenant_id)}d/{document_id}/{unique}"


class DocumentCreated(DomainEvent):
    TYPE = "DocumentCreated"
    tenant_id: str
    document_id: str
    program_id: str
    owner_user_id: str
    name: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    space_id: str | None = None


class VersionStored(DomainEvent):
    """A version's content: an object in storage, its size, type and SHA-256."""

    TYPE = "VersionStored"
    number: int
    object_key: str
    size: int
    sha256: str
    content_type: str
    stored_by: str
    stored_at: str
    restored_from: int | None = None


class Renamed(DomainEvent):
    TYPE = "Renamed"
    name: str


class Described(DomainEvent):
    TYPE = "Described"
    description: str


class Tagged(DomainEvent):
    TYPE = "Tagged"
    tags: list[str]


class Moved(DomainEvent):
    TYPE = "Moved"
    space_id: str | None


class Shared(DomainEvent):
    TYPE = "Shared"
    user_ids: list[str] = Field(default_factory=list)
    conversation_ids: list[str] = Field(default_factory=list)
    program: bool = False


class Unshared(DomainEvent):
    TYPE = "Unshared"
    user_ids: list[str] = Field(default_factory=list)
    conversation_ids: list[str] = Field(default_factory=list)
    program: bool = False


class Deleted(DomainEvent):
    TYPE = "Deleted"
    at: str
    by: str


class Undeleted(DomainEvent):
    TYPE = "Undeleted"
    by: str


class Purged(DomainEvent):
    """The content is gone from storage; what is left of the stream is its ids."""

    TYPE = "Purged"
    at: str
    reason: str


class MediaDescribed(DomainEvent):
    """What probing a version found (duration, codecs, dimensions) and its preview."""

    TYPE = "MediaDescribed"
    version: int
    media: dict[str, Any] = Field(default_factory=dict)
    preview_key: str | None = None


class Document(Aggregate):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.document_id = ""
        self.program_id = ""
        self.owner_user_id = ""
        self.name = ""
        self.description = ""
        self.tags: list[str] = []
        self.space_id: str | None = None
        self.shared_users: list[str] = []
        self.shared_conversations: list[str] = []
        self.shared_program = False
        self.versions: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.deleted_at: str | None = None
        self.purged = False

    # --- reading -------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self.version > 0 and not self.purged

    @property
    def current(self) -> dict[str, Any]:
        return self.versions[-1]

    def version_of(self, number: int | None) -> dict[str, Any]:
        if number is None:
            return self.current
        if not 1 <= number <= len(self.versions):
            raise NotFound(f"this document has no version {number}", field="version")
        return self.versions[number - 1]

    # --- commands ------------------------------------------------------------------------

    def create(self, created: DocumentCreated, content: VersionStored) -> None:
        if self.version:
            raise Conflict("this document exists already")
        self.record(created)
        self.record(content)

    def _editable(self) -> None:
        if self.purged:
            raise NotFound("no such document")
        if self.deleted_at is not None:
            raise Conflict("this document is deleted: restore it first")

    def add_version(self, content: VersionStored) -> None:
        self._editable()
        if len(self.versions) >= MAX_VERSIONS:
            raise Conflict(f"a document keeps at most {MAX_VERSIONS} versions")
        self.record(content)

    def restore_version(self, number: int, *, by: str, at: str) -> None:
        old = self.version_of(number)
        self.add_version(
            VersionStored(
                **{
                    **old,
                    "number": len(self.versions) + 1,
                    "stored_by": by,
                    "stored_at": at,
                    "restored_from": number,
                }
            )
        )

    def rename(self, name: str) -> None:
        self._editable()
        if name != self.name:
            self.record(Renamed(name=name))

    def describe(self, description: str) -> None:
        self._editable()
        if description != self.description:
            self.record(Described(description=description))

    def tag(self, tags: list[str]) -> None:
        self._editable()
        if tags != self.tags:
            self.record(Tagged(tags=tags))

    def move(self, space_id: str | None) -> None:
        self._editable()
        if space_id != self.space_id:
            self.record(Moved(space_id=space_id))

    def share(self, users: list[str], conversations: list[str], program: bool) -> Shared | None:
        """Share with whoever is not shared with yet; returns the event (None: no change)."""
        self._editable()
        event = Shared(
            user_ids=[u for u in dict.fromkeys(users) if u not in self.shared_users],
            conversation_ids=[
                c for c in dict.fromkeys(conversations) if c not in self.shared_conversations
            ],
            program=program and not self.shared_program,
        )
        if not (event.user_ids or event.conversation_ids or event.program):
            return None
        if len(self.shared_users) + len(event.user_ids) > MAX_SHARES:
            raise Conflict(f"a document is shared with at most {MAX_SHARES} people")
        self.record(event)
        return event

    def unshare(self, users: list[str], conversations: list[str], program: bool) -> None:
        self._editable()
        event = Unshared(
            user_ids=[u for u in dict.fromkeys(users) if u in self.shared_users],
            conversation_ids=[
                c for c in dict.fromkeys(conversations) if c in self.shared_conversations
            ],
            program=program and self.shared_program,
        )
        if event.user_ids or event.conversation_ids or event.program:
            self.record(event)

    def forget_user(self, user_id: str) -> None:
        """An erased member leaves the shares, even of a deleted document."""
        if not self.purged and user_id in self.shared_users:
            self.record(Unshared(user_ids=[user_id]))

    def delete(self, *, by: str, at: str) -> None:
        self._editable()
        self.record(Deleted(at=at, by=by))

    def undelete(self, *, by: str) -> None:
        if self.purged:
            raise NotFound("no such document")
        if self.deleted_at is None:
            raise Conflict("this document is not deleted")
        self.record(Undeleted(by=by))

    def purge(self, *, at: str, reason: str) -> None:
        if not self.purged:
            self.record(Purged(at=at, reason=reason))

    def describe_media(self, version: int, media: dict[str, Any], preview_key: str | None) -> None:
        if self.purged or str(version) in self.media:
            return
        self.record(MediaDescribed(version=version, media=media, preview_key=preview_key))

    # --- folding -------------------------------------------------------------------------

    @applies(DocumentCreated)
    def _created(self, e: DocumentCreated) -> None:
        self.tenant_id, self.document_id, self.program_id = e.tenant_id, e.document_id, e.program_id
        self.owner_user_id, self.name, self.description = e.owner_user_id, e.name, e.description
        self.tags, self.space_id = list(e.tags), e.space_id

    @applies(VersionStored)
    def _stored(self, e: VersionStored) -> None:
        self.versions.append(e.model_dump())
        if e.restored_from is not None and str(e.restored_from) in self.media:
            self.media[str(e.number)] = self.media[str(e.restored_from)]

    @applies(Renamed)
    def _renamed(self, e: Renamed) -> None:
        self.name = e.name

    @applies(Described)
    def _described(self, e: Described) -> None:
        self.description = e.description

    @applies(Tagged)
    def _tagged(self, e: Tagged) -> None:
        self.tags = list(e.tags)

    @applies(Moved)
    def _moved(self, e: Moved) -> None:
        self.space_id = e.space_id

    @applies(Shared)
    def _shared(self, e: Shared) -> None:
        self.shared_users += e.user_ids
        self.shared_conversations += e.conversation_ids
        self.shared_program = self.shared_program or e.program

    @applies(Unshared)
    def _unshared(self, e: Unshared) -> None:
        self.shared_users = [u for u in self.shared_users if u not in e.user_ids]
        self.shared_conversations = [
            c for c in self.shared_conversations if c not in e.conversation_ids
        ]
        self.shared_program = self.shared_program and not e.program

    @applies(Deleted)
    def _deleted(self, e: Deleted) -> None:
        self.deleted_at = e.at

    @applies(Undeleted)
    def _undeleted(self, e: Undeleted) -> None:
        self.deleted_at = None

    @applies(Purged)
    def _purged(self, e: Purged) -> None:
        self.purged = True

    @applies(MediaDescribed)
    def _media(self, e: MediaDescribed) -> None:
        self.media[str(e.version)] = {**e.media, "preview_key": e.preview_key}
