"""Service settings (pydantic-settings). Built once in each entrypoint and passed down; never a module global."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAKAT_KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    # The embedded Tansu broker rejects InitProducerId; correctness comes from outbox + inbox instead.
    enable_idempotence: bool = False
    # Tansu does not wake a waiting fetch on new data, so latency follows this value (DESIGN.md section 6).
    fetch_max_wait_ms: int = 10
    session_timeout_ms: int = 6000
    heartbeat_interval_ms: int = 1000


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAKAT_AUTH_", extra="ignore")

    issuer: str = "http://127.0.0.1:8000/auth/dev"
    audience: str = "bakat"
    # Production: the OIDC issuer's JWKS (e.g. Keycloak .../protocol/openid-connect/certs).
    jwks_url: str | None = None
    # Alternative to a JWKS URL (tests, air-gapped installs): a PEM public key.
    public_key_pem: str | None = None
    jwks_cache_seconds: int = 300
    algorithms: list[str] = ["RS256"]
    # A token that verified is trusted again without the RSA check for this long (never past its
    # `exp`); a client sends the same token with every request. 0: verify every time.
    verified_cache_seconds: float = 60.0
    verified_cache_size: int = 10_000


class ServiceSettings(BaseSettings):
    """Settings every Bakat process shares; each service subclasses it with its own name and defaults."""

    model_config = SettingsConfigDict(env_prefix="BAKAT_", extra="ignore")

    service_name: str = "bakat"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5433/bakat"
    # A fixed pool: connections opened above pool_size ("overflow") are closed again as soon as they
    # are returned while the pool is full, so under steady load every overflow checkout paid for a new
    # PostgreSQL backend (the mixed bench ran at half speed: docs/BENCHMARKS.md). A request holds at
    # most one connection at a time, so a request past the pool waits its turn, up to the timeout
    # (then 503 with Retry-After). Size: replicas x pool x services within the server's max_connections.
    db_pool_size: int = 20
    db_max_overflow: int = 0
    db_pool_timeout_s: float = 10.0
    # A ping before every checkout costs a round trip per request; without it a connection the
    # server dropped (a restart) fails one request with 503, and the pool then replaces all of them.
    db_pool_pre_ping: bool = False
    # A web pod and a worker pod run the same image; these switch the background loops on or off.
    run_relay: bool = True
    run_consumers: bool = True
    outbox_batch_size: int = 500
    outbox_poll_interval_s: float = 1.0
    outbox_max_backoff_s: float = 60.0
    consumer_max_attempts: int = 5
    # Records per fetch; each partition's share is handled in one transaction (placement reaches
    # ~3,300 assessment events/s at 1,000, ~2,700 at 200: docs/BENCHMARKS.md).
    consumer_batch_size: int = 1000
    # How long a lookup of a replicated row (tenant, employee) waits for its event before answering 404.
    replica_wait_s: float = 2.0
    # The role the service's queries run as (SET ROLE at connection start). Row-level security binds
    # every role but superusers; with a superuser URL (the dev stack's), name a plain role here so the
    # tenant policies apply. Empty: the URL's user as it is (production: a non-superuser owner).
    database_role: str | None = None
    log_level: str = "INFO"
    log_json: bool = True
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)

    @field_validator("database_url")
    @classmethod
    def _asyncpg_driver(cls, url: str) -> str:
        # Operators hand out libpq URLs (CloudNativePG's `uri` Secret key): use them with asyncpg.
        for scheme in ("postgresql://", "postgres://"):
            if url.startswith(scheme):
                return "postgresql+asyncpg://" + url[len(scheme):]
        return url
    auth: AuthSettings = Field(default_factory=AuthSettings)
