"""Settings of the profiles service (environment variables prefixed ``PROFILES_``)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class ProfilesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROFILES_", extra="ignore")

    service_name: str = "profiles"
    http_port: int = 8001
