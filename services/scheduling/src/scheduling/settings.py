"""Settings of the scheduling service (environment variables prefixed ``SCHEDULING_``)."""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_", extra="ignore")

    service_name: str = "scheduling"
    http_port: int = 8005

    reminder_offsets_minutes: list[int] = Field(
        default=[24 * 60, 15],
        min_length=1,
        max_length=5,
        description="How long before each meeting reminders go out (minutes).",
    )
    reminder_sweep_seconds: float = Field(
        default=30.0, gt=0, le=600, description="How often meetings starting soon are checked."
    )
    video_provider: Literal["jitsi", "none"] = Field(
        default="jitsi", description="Where meetings' video rooms come from."
    )
    jitsi_base_url: str = Field(
        default="https://meet.jit.si", description="The Jitsi Meet server rooms are made on."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8005",
        description="This API's public address, as calendar feed URLs show it.",
    )
