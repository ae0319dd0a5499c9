"""Request and response bodies of the documents API."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from chassis.auth import Principal
from documents.application.ports import UploadSession
from documents.domain.document import Document

UserId = Annotated[str, StringConstraints(min_length=1, max_length=255)]
OtherId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
]


class SharedWith(BaseModel):
    user_ids: list[str] = Field(default_factory=list, max_length=500)
    conversation_ids: list[str] = Field(default_factory=list, max_length=100)
    program: bool = False


class VersionOut(BaseModel):
    number: int
    size: int
    sha256: str
    content_type: str
    stored_by: str
    stored_at: str
    restored_from: int | None = None
    media: dict[str, Any] | None = None


class DocumentOut(BaseModel):
    document_id: str
    program_id: str
    owner_user_id: str
    name: str
    description: str
    tags: list[str]
    space_id: str | None
    shared_with: SharedWith | None = Field(
        default=None, description="Who else it is shared with (shown to the owner only)."
    )
    current: VersionOut
    versions: int
    revision: int = Field(description="The aggregate version: send it back as If-Match.")
    has_preview: bool
    deleted_at: str | None = None

    @classmethod
    def of(cls, document: Document, principal: Principal) -> DocumentOut:
        current = document.current
        media = document.media.get(str(current["number"]))
        return cls(
            document_id=document.document_id,
            program_id=document.program_id,
            owner_user_id=document.owner_user_id,
            name=document.name,
            description=document.description,
            tags=document.tags,
            space_id=document.space_id,
            shared_with=SharedWith(
                user_ids=document.shared_users,
                conversation_ids=document.shared_conversations,
                program=document.shared_program,
            )
            if principal.user_id == document.owner_user_id
            else None,
            current=version_out(document, current),
            versions=len(document.versions),
            revision=document.version,
            has_preview=bool(media and media.get("preview_key")),
            deleted_at=document.deleted_at,
        )


def version_out(document: Document, version: dict[str, Any]) -> VersionOut:
    media = document.media.get(str(version["number"]))
    return VersionOut(
        **{k: version[k] for k in VersionOut.model_fields if k in version and k != "media"},
        media={k: v for k, v in media.items() if k != "preview_key"} if media else None,
    )


class DocumentSummary(BaseModel):
    document_id: str
    program_id: str
    owner_user_id: str
    name: str
    tags: list[str]
    space_id: str | None
    content_type: str
    size: int
    versions: int
    created_at: str
    updated_at: str
    deleted_at: str | None = None
    has_preview: bool = False
    media: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, row: dict[str, Any]) -> DocumentSummary:
        return cls.model_validate({k: row.get(k) for k in cls.model_fields if k in row})


class UploadIn(BaseModel):
    """A resumable upload: say what comes, then PATCH the bytes at offsets."""

    program_id: OtherId | None = None
    name: str | None = Field(default=None, max_length=1000)
    size: int = Field(ge=0, description="The file's length in bytes (tus Upload-Length).")
    content_type: str | None = Field(
        default=None, max_length=255, description="What you say it is; checked against the bytes."
    )
    sha256: str | None = Field(
        default=None, max_length=64, description="If given, the finish checks the stored bytes."
    )
    description: str = Field(default="", max_length=5000)
    tags: list[str] = Field(default_factory=list, max_length=20)
    space_id: OtherId | None = None


class UploadOut(BaseModel):
    upload_id: str
    offset: int = Field(description="Bytes the server has stored: continue from here.")
    length: int | None
    state: str
    document_id: str | None = Field(description="The document this upload makes or versions.")
    content_type: str | None = None
    error: str | None = None
    sha256: str | None = Field(default=None, description="Of the stored bytes, once verified.")

    @classmethod
    def of(cls, session: UploadSession) -> UploadOut:
        return cls(
            upload_id=session.upload_id,
            offset=session.offset,
            length=session.length,
            state=session.state,
            document_id=session.document_id,
            content_type=session.content_type,
            error=session.error,
            sha256=session.stored_sha256,
        )


class ChangesIn(BaseModel):
    name: str | None = Field(default=None, max_length=1000)
    description: str | None = Field(default=None, max_length=5000)
    tags: list[str] | None = Field(default=None, max_length=20)
    space_id: str | None = Field(
        default=None, max_length=128, description='Move into this space; "" moves it out.'
    )


class SharesIn(BaseModel):
    user_ids: list[UserId] = Field(default_factory=list, max_length=500)
    conversation_ids: list[OtherId] = Field(default_factory=list, max_length=100)
    program: bool = False


class LinkIn(BaseModel):
    version: int | None = Field(default=None, ge=1)
    expires_in: int = Field(default=300, ge=1, description="Seconds (at most the service's limit).")


class LinkOut(BaseModel):
    url: str
    expires_at: int
