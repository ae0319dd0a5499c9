"""Documents: sharing of files and media."""

from typing import Annotated, ClassVar

from pydantic import Field

from ._types import MAX_PEOPLE, Id, MediaType, UserId
from .base import EventPayload

__all__ = ["DocumentSharedV1"]


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
