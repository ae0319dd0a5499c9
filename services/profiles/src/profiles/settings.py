"""Settings of the profiles service (environment variables prefixed ``PROFILES_``)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class ProfilesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROFILES_", extra="ignore")

    service_name: str = "profiles"
    http_port: int = 8001
    max_import_body_bytes: int = Field(
        default=5_000_000,
        description="Body limit of the bulk member import (up to 10,000 CSV rows in one "
        "request); every other route takes PROFILES_MAX_REQUEST_BODY_BYTES (1 MB).",
    )

    search_index_path: str | None = Field(
        default=None,
        description="Where the tantivy search index lives; empty: in memory. Either way it "
        "is a read model, rebuilt from the event store at every start.",
    )
    search_index_heap_bytes: int = 64_000_000
    projector_poll_seconds: float = Field(
        default=5.0,
        description="How often the read models look for events of other replicas (a scan "
        "of the events collection on FerretDB, an indexed range query on MongoDB).",
    )
    projector_overlap_seconds: float = 5.0
