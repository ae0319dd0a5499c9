"""Settings of the documents service (environment variables prefixed ``DOCUMENTS_``)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ObjectStorageSettings


class DocumentsSettings(ObjectStorageSettings):
    model_config = SettingsConfigDict(env_prefix="DOCUMENTS_", extra="ignore")

    service_name: str = "documents"
    http_port: int = 8004
