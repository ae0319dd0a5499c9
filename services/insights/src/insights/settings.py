"""Settings of the insights service (environment variables prefixed ``INSIGHTS_``)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class InsightsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INSIGHTS_", extra="ignore")

    service_name: str = "insights"
    http_port: int = 8006
