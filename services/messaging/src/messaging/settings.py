"""Settings of the messaging service (environment variables prefixed ``MESSAGING_``)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class MessagingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MESSAGING_", extra="ignore")

    service_name: str = "messaging"
    http_port: int = 8003
