"""Gateway settings: where the services live, how patiently to call them, and dev-mode auth.

Built once in the entrypoint (`app_from_env`) and passed to `create_app`; never a module global.
Environment variables use the shared `BAKAT_` prefix (BAKAT_ROSTER_URL, BAKAT_DEV_MODE, ...), so the
devstack launcher configures the gateway the same way as every other service.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from bakat_common.auth import known_roles
from bakat_common.settings import AuthSettings
from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

class DevClient(BaseModel):
    """A machine client of the dev issuer (a BKN integration, as a Keycloak confidential client would be)."""

    secret: str = Field(min_length=8)
    tenant: str = Field(min_length=1, max_length=100, description="tenant slug, or * for every tenant")
    roles: list[str] = Field(default_factory=lambda: ["integration"])

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        return known_roles(roles)


# Methods that may be re-sent safely (RFC 9110 9.2.2): only these are retried.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAKAT_", extra="ignore")

    roster_url: str = "http://127.0.0.1:8001"
    assessment_url: str = "http://127.0.0.1:8002"
    placement_url: str = "http://127.0.0.1:8003"
    scheduling_url: str = "http://127.0.0.1:8004"

    # Connect fails fast (a dead pod refuses at once; a black-holed one must not hold the caller),
    # the whole exchange (retries included) is capped by request_timeout_s.
    connect_timeout_s: float = Field(1.0, gt=0)
    request_timeout_s: float = Field(10.0, gt=0)
    # Extra attempts after a connect error, idempotent methods only; bounded to keep latency bounded.
    retries: int = Field(1, ge=0, le=3)
    retry_backoff_s: float = Field(0.05, ge=0)
    # Told to clients in Retry-After when a service is unreachable.
    retry_after_s: int = Field(5, ge=1)
    # Connection pool to the services (shared by all requests).
    max_connections: int = Field(200, ge=1)
    # Below uvicorn's 5 s keep-alive so the gateway drops an idle connection before the service does.
    keepalive_expiry_s: float = Field(4.0, ge=0)

    # The aggregated /openapi.json is rebuilt at most this often.
    openapi_cache_s: float = Field(30.0, ge=0)
    openapi_fetch_timeout_s: float = Field(3.0, gt=0)
    # Bodies are buffered before forwarding; past this the caller gets 413 (roster uploads allow 50 MB).
    max_body_bytes: int = Field(60 * 1024 * 1024, ge=1024)

    # Browser origins allowed by CORS: a JSON list or comma-separated (BAKAT_CORS_ORIGINS=http://a,http://b).
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Per-client rate limits (token buckets, per process: N replicas allow N times these). A client is
    # a verified token's tenant + subject; without a verifiable token, the client address (stricter).
    # None: on, except in dev mode (make run, e2e tests and benches hammer one box on purpose).
    rate_limit_enabled: bool | None = None
    # A person clicking through the UI stays far below these; a paging script gets slowed, not broken.
    rate_limit_per_s: float = Field(50.0, gt=0)
    rate_limit_burst: int = Field(200, ge=1)
    # Unauthenticated traffic is the token endpoint, docs and 401s; an office behind one NAT shares it.
    rate_limit_anonymous_per_s: float = Field(10.0, gt=0)
    rate_limit_anonymous_burst: int = Field(50, ge=1)
    # Memory bound: buckets kept at most (idle full buckets are dropped anyway; ~350 bytes each).
    rate_limit_max_clients: int = Field(100_000, ge=1)
    # How long a token's verification outcome is reused (one RSA verification per token per this).
    rate_limit_token_cache_s: float = Field(60.0, ge=0)

    dev_mode: bool = False
    # PEM file of the dev issuer's key; created if missing. None: an in-memory key (tokens die on restart).
    dev_issuer_key_file: str | None = None
    auth: AuthSettings = Field(default_factory=AuthSettings)
    # Client-credentials clients of the dev issuer, as JSON: {"bkn-siasn": {"secret": "...",
    # "tenant": "kota-batu", "roles": ["integration"]}}. Their tokens live dev_client_token_ttl_s
    # (Keycloak's default access-token lifespan is 5 minutes).
    dev_clients: dict[str, DevClient] = Field(default_factory=dict)
    dev_client_token_ttl_s: int = Field(300, ge=1, le=24 * 3600)

    # The web pages (/app/) are an OIDC public client signing in with the authorization code and PKCE
    # (docs/WEB.md). Endpoints left unset: the issuer's Keycloak paths ({issuer}/protocol/openid-connect/
    # auth and .../token); in dev mode, the dev issuer's own sign-in form and token endpoint.
    web_client_id: str = Field("bakat-web", min_length=1, max_length=200)
    web_authorization_endpoint: str | None = None
    web_token_endpoint: str | None = None
    # Where sign-out ends the issuer's session too (unset: Keycloak's .../protocol/openid-connect/logout).
    web_end_session_endpoint: str | None = None
    # How long the dev issuer's tokens for the web pages live (a working day's session is not needed:
    # the pages sign in again, which in dev is one click).
    dev_web_token_ttl_s: int = Field(3600, ge=60, le=24 * 3600)

    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("roster_url", "assessment_url", "placement_url", "scheduling_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")  # paths are appended verbatim

    @property
    def rate_limiting(self) -> bool:
        return (not self.dev_mode) if self.rate_limit_enabled is None else self.rate_limit_enabled

    def service_urls(self) -> dict[str, str]:
        """Service name -> base URL, in the routing table's vocabulary."""
        return {
            "roster": self.roster_url,
            "assessment": self.assessment_url,
            "placement": self.placement_url,
            "scheduling": self.scheduling_url,
        }
