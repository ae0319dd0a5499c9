"""Settings of the knowledge service (environment variables prefixed ``KNOWLEDGE_``)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class KnowledgeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KNOWLEDGE_", extra="ignore")

    service_name: str = "knowledge"
    http_port: int = 8007
    model_dir: str | None = Field(
        default=None,
        description="Folder of the all-MiniLM-L6-v2 model; default: the packaged one.",
    )
    duplicate_similarity: float = Field(
        default=0.9,
        ge=0.5,
        le=1.0,
        description="Cosine similarity at or above which a new entry is listed under an "
        "existing one as a near-duplicate.",
    )
    meaning_weight: float = Field(default=0.8, ge=0, le=1, description="Search: weight of meaning.")
    keyword_weight: float = Field(default=0.2, ge=0, le=1, description="Search: weight of words.")
    min_similarity: float = Field(
        default=0.3, ge=0, le=1, description="Search: least cosine similarity that counts."
    )
    covered_at_entries: int = Field(
        default=3, ge=1, le=1000, description="Entries from which an expertise area is covered."
    )
    follow_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often the index follows entries other replicas saved."
    )
