"""Settings of the matching service (environment variables prefixed ``MATCHING_``)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore")

    service_name: str = "matching"
    http_port: int = 8002
