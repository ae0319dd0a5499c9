"""Settings of the insights service (environment variables prefixed ``INSIGHTS_``)."""

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class InsightsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INSIGHTS_", extra="ignore")

    service_name: str = "insights"
    http_port: int = 8006
    reports_db: str = Field(
        default="",
        description="The read model's database (default '<mongo_db>_reports'): it can be "
        "dropped and rebuilt from the topics with `python -m insights.rebuild`.",
    )
    nudge_scan_seconds: float = Field(
        default=300.0,
        description="How often check-in reminders and at-risk nudges are looked for.",
    )
    nudge_max_lag: int = Field(
        default=100,
        description="Nudges are looked for only while the consumers are at most this many "
        "records behind the topics they fold.",
    )
    nudge_lease_seconds: float = Field(
        default=60.0, description="Term of the lease that lets one replica scan for nudges."
    )

    @model_validator(mode="after")
    def _reports_db_default(self) -> "InsightsSettings":
        if not self.reports_db:
            self.reports_db = f"{self.mongo_db}_reports"
        return self
