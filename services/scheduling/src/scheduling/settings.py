"""Settings of the scheduling service (environment variables prefixed ``SCHEDULING_``)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_", extra="ignore")

    service_name: str = "scheduling"
    http_port: int = 8005
