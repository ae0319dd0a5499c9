"""Documents: sharing of files and media."""

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from ._types import MAX_PEOPLE, Code, Id, MediaType, UserId
from .base import EventPayload

__all__ = [
    "DocumentDeletedV1",
    "DocumentSharedV1",
    "DocumentUploadedV1",
    "DocumentVersionAddedV1",
]


class DocumentSharedV1(EventPayload):
    """A document (file, video, audio, slides) was shared with people or a match.

    No file name, title or link: those may be confidential, and access goes through the
    documents API, which checks the share.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.document.shared"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "document-shared"

    program_id: Id
    document_id: Id
    owner_user_id: UserId
    shared_by_user_id: UserId
    match_id: Id | None = None
    shared_with_user_ids: Annotated[list[UserId], Field(max_length=MAX_PEOPLE)]
    media_type: MediaType
    size_bytes: Annotated[int, Field(ge=0)]


class DocumentUploadedV1(EventPayload):
    """A new document was uploaded (its first version is stored and checksum-verified).

    Ids, type and size only: the name, description and tags may be confidential.
    ``space_id`` is the mentorship space it was put in (the match id), if any.
    """

    EVENT_TYPE: ClassVar[str] = "mentorship.document.uploaded"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "document-uploaded"

    program_id: Id
    document_id: Id
    owner_user_id: UserId
    space_id: Id | None = None
    media_type: MediaType
    size_bytes: Annotated[int, Field(ge=0)]


class DocumentVersionAddedV1(EventPayload):
    """A document got a new version: a new upload, or an old version restored."""

    EVENT_TYPE: ClassVar[str] = "mentorship.document.version_added"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "document-version-added"

    program_id: Id
    document_id: Id
    owner_user_id: UserId
    added_by_user_id: UserId
    version: Annotated[int, Field(ge=1)]
    restored_from: Annotated[int, Field(ge=1)] | None = None
    media_type: MediaType
    size_bytes: Annotated[int, Field(ge=0)]


class DocumentDeletedV1(EventPayload):
    """A document was deleted: ``soft`` (restorable until purged) or ``purged`` (its
    content is gone). Known ``reason`` codes: ``deleted_by_owner``, ``retention``,
    ``owner_erased``."""

    EVENT_TYPE: ClassVar[str] = "mentorship.document.deleted"
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str] = "document-deleted"

    program_id: Id
    document_id: Id
    owner_user_id: UserId
    stage: Literal["soft", "purged"]
    reason: Code
