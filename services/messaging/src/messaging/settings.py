"""Settings of the messaging service (environment variables prefixed ``MESSAGING_``)."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class MessagingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MESSAGING_", extra="ignore")

    service_name: str = "messaging"
    http_port: int = 8003

    documents_url: str = Field(
        default="",
        description="The documents service's base URL; attachments are checked there as "
        "the sender. Empty: checked against the document-shared events received.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8003", description="Where links in digest mails point."
    )

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_sender: str = "Mentorship <no-reply@mentorship.local>"
    digest_poll_seconds: float = Field(
        default=30.0, description="How often a replica looks for digests whose window ended."
    )
    digest_hourly_seconds: float = Field(default=3600.0, description="The 'hourly' window.")
    digest_daily_seconds: float = Field(default=86400.0, description="The 'daily' window.")
    active_seconds: float = Field(
        default=120.0,
        description="A member seen by a socket this recently is active: no digest for them.",
    )

    ws_heartbeat_seconds: float = Field(
        default=25.0, description="Server ping interval; a socket silent for three is closed."
    )
    ws_auth_seconds: float = Field(default=10.0, description="Time to send the hello frame.")
    ws_max_frame_bytes: int = 8192
    ws_frames_per_second: float = 10.0
    ws_frame_burst: int = 30
    feed_backlog: int = Field(
        default=10_000,
        description="How far back (feed positions) a reconnecting client may resume.",
    )
    relay_record_seconds: float = Field(
        default=0.25,
        description="The outbox relay records what it published at most this often (one "
        "write for many messages instead of one per message).",
    )
    sends_per_second: float = Field(default=5.0, description="Per member, per replica.")
    send_burst: int = 20
