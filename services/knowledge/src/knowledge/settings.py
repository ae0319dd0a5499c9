"""Settings of the knowledge service (environment variables prefixed ``KNOWLEDGE_``)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class KnowledgeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KNOWLEDGE_", extra="ignore")

    service_name: str = "knowledge"
    http_port: int = 8007
