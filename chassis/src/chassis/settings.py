"""Twelve-factor settings shared by every service.

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix`` (``PROFILES_``,
``MATCHING_`` ...). Defaults point at the local stack started by ``make up``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_KEYS_DIR = Path(__file__).parent / "dev_keys"
DEV_JWKS_FILE = DEV_KEYS_DIR / "jwks.json"
DEV_ISSUER = "http://127.0.0.1/mentorship-dev-issuer"
DEV_AUDIENCE = "mentorship-platform"


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclass and set ``model_config`` with an env prefix."""

    model_config = SettingsConfigDict(env_prefix="SERVICE_", extra="ignore")

    service_name: str = "service"
    environment: Literal["local", "test", "production"] = "local"
    http_port: int = 8000
    log_level: str = "INFO"

    mongo_url: str = "mongodb://127.0.0.1:27017/"
    mongo_db: str = ""
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="How clients talk to Kafka (SASL_SSL for most clusters)."
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="CA bundle for SSL/SASL_SSL (default: the system's)."
    )
    topic_prefix: str = Field(
        default="", description="Prefix for every topic name; tests use it to isolate runs."
    )
    consumer_group_prefix: str = ""

    storage_profile: Literal["mongodb", "ferretdb"] = Field(
        default="mongodb",
        description=(
            "Document layout for the MongoDB wire server: 'mongodb' for real MongoDB "
            "(production); 'ferretdb' for the local FerretDB stand-in (partitioned hot "
            "collections, packed blobs; set by the local stack and the tests)."
        ),
    )

    auth_jwks_url: str | None = None
    auth_jwks_file: Path | None = DEV_JWKS_FILE
    auth_issuer: str = DEV_ISSUER
    auth_audience: str = DEV_AUDIENCE
    auth_leeway_seconds: int = 30

    otel_exporter_otlp_endpoint: str | None = None

    relay_batch_size: int = 500
    relay_idle_poll_seconds: float = 0.2
    relay_sweep_seconds: float = Field(
        default=30.0, description="How often the relay looks for events no fast path published."
    )
    relay_grace_seconds: float = Field(
        default=10.0, description="Events younger than this are left to the fast paths."
    )
    relay_record_seconds: float = Field(
        default=0.0,
        description="How long the fast path may wait to record what it published, so one "
        "record covers many events (0: a record per published batch).",
    )
    max_request_body_bytes: int = 1_000_000
    shutdown_step_seconds: float = Field(
        default=10.0,
        description="Bound on each shutdown step (background tasks, Kafka, MongoDB); three "
        "steps fit the pods' 45 s grace period.",
    )

    @model_validator(mode="after")
    def _defaults_and_production_guards(self) -> ServiceSettings:
        if not self.mongo_db:
            self.mongo_db = self.service_name
        if self.kafka_security_protocol.startswith("SASL") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(
                f"Kafka {self.kafka_security_protocol} needs *_KAFKA_SASL_USERNAME and "
                "*_KAFKA_SASL_PASSWORD"
            )
        if self.environment == "production":
            if self.auth_jwks_url is None and (
                self.auth_jwks_file is None or self.auth_jwks_file == DEV_JWKS_FILE
            ):
                raise ValueError(
                    "production needs your identity provider's JWKS: set *_AUTH_JWKS_URL "
                    "(the development key is public and is refused in production)"
                )
        return self

    def topic(self, name: str) -> str:
        """The physical topic name for a contract topic name."""
        return f"{self.topic_prefix}{name}"

    def group(self, consumer_name: str) -> str:
        """The consumer group id for one named consumer of this service."""
        return f"{self.consumer_group_prefix}{self.service_name}.{consumer_name}"


class ObjectStorageSettings(ServiceSettings):
    """Settings of a service that keeps objects in S3-compatible storage (MinIO locally)."""

    minio_endpoint: str = "127.0.0.1:9000"
    minio_access_key: str = "mentorship"
    minio_secret_key: SecretStr = SecretStr("mentorship-dev-secret")
    minio_secure: bool = False

    @model_validator(mode="after")
    def _object_storage_guard(self) -> ObjectStorageSettings:
        if (
            self.environment == "production"
            and self.minio_secret_key.get_secret_value() == "mentorship-dev-secret"
        ):
            raise ValueError("production needs *_MINIO_SECRET_KEY (not the dev default)")
        return self
