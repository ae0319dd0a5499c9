"""Settings of the documents service (environment variables prefixed ``DOCUMENTS_``)."""

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from chassis.settings import ObjectStorageSettings
from documents.domain.content_types import DEFAULT_FORBIDDEN

DEV_LINK_SECRET = "documents-dev-link-secret"


class DocumentsSettings(ObjectStorageSettings):
    model_config = SettingsConfigDict(env_prefix="DOCUMENTS_", extra="ignore")

    service_name: str = "documents"
    http_port: int = 8004

    bucket: str = Field(default="documents", description="The bucket of every tenant's objects.")
    max_upload_bytes: int = Field(
        default=2 * 1024**3,
        ge=1,
        description="Largest file accepted (refused from "
        "Content-Length or the declared length at once, and while streaming).",
    )
    part_size_bytes: int = Field(
        default=8 * 1024**2,
        ge=5 * 1024**2,
        le=512 * 1024**2,
        description="Size of the multipart parts (S3's minimum is 5 MiB). Memory per upload "
        "is about (parts_in_flight + 1) parts.",
    )
    parts_in_flight: int = Field(default=3, ge=1, le=8, description="Part uploads at once.")
    forbidden_content_types: list[str] = Field(
        default=list(DEFAULT_FORBIDDEN),
        description="Content types refused (declared or sniffed): programs, and pages a "
        "browser would run.",
    )
    upload_abandon_seconds: float = Field(
        default=24 * 3600.0,
        gt=0,
        description="An upload session untouched this long is aborted (parts, tail, session).",
    )
    upload_writer_stale_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A chunk writer that stored nothing this long is taken to be dead and "
        "its offset may be written again.",
    )
    purge_after_seconds: float = Field(
        default=30 * 24 * 3600.0, ge=0, description="Deleted documents are purged after this."
    )
    sweep_seconds: float = Field(
        default=60.0, gt=0, description="How often abandoned uploads and purges are looked for."
    )
    link_secret: SecretStr = Field(
        default=SecretStr(DEV_LINK_SECRET), description="HMAC key of signed download links."
    )
    link_max_seconds: int = Field(default=900, ge=1, le=86400)
    ffprobe_path: str = "ffprobe"
    probe_timeout_seconds: float = 30.0
    preview_max_source_bytes: int = Field(
        default=50 * 1024**2, description="Images and PDFs larger than this get no preview."
    )
    media_lease_seconds: float = 120.0
    media_poll_seconds: float = 5.0

    @model_validator(mode="after")
    def _link_secret_guard(self) -> "DocumentsSettings":
        if self.environment == "production" and (
            self.link_secret.get_secret_value() == DEV_LINK_SECRET
        ):
            raise ValueError("production needs DOCUMENTS_LINK_SECRET (not the dev default)")
        return self
