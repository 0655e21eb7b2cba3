"""Devstack configuration, read from the environment (BAKAT_* plus the per-service database overrides)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bakat_devstack.ports import free_port


def find_checkout_root(start: Path | None = None) -> Path:
    """The workspace root (the directory holding uv.lock), else the current directory.

    Looks from this file first (editable install inside the checkout), then from the cwd.
    """
    candidates = [Path(__file__).resolve().parent, (start or Path.cwd()).resolve()]
    for origin in candidates:
        for directory in (origin, *origin.parents):
            if (directory / "uv.lock").is_file() and (directory / "pyproject.toml").is_file():
                return directory
    return (start or Path.cwd()).resolve()


def _default_state_dir() -> Path:
    return find_checkout_root() / ".bakat"


class DevstackSettings(BaseSettings):
    """Everything the local stack needs; construct it explicitly and pass it down (no module global)."""

    model_config = SettingsConfigDict(env_prefix="BAKAT_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    # Local state: pgdata, the dev issuer key, per-process logs.
    state_dir: Path = Field(default_factory=_default_state_dir)

    # External infrastructure: when set, the embedded one is not started.
    postgres_url: str | None = None
    kafka_bootstrap_servers: str | None = None

    embedded_pg_port: int = 5433
    embedded_kafka_port: int = 9092

    gateway_port: int = 8000
    roster_port: int = 8001
    assessment_port: int = 8002
    placement_port: int = 8003
    scheduling_port: int = 8004

    # Per-service database overrides (full SQLAlchemy async URLs): used as they are, never created.
    roster_database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ROSTER_DATABASE_URL", "roster_database_url")
    )
    assessment_database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ASSESSMENT_DATABASE_URL", "assessment_database_url")
    )
    placement_database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("PLACEMENT_DATABASE_URL", "placement_database_url")
    )
    scheduling_database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("SCHEDULING_DATABASE_URL", "scheduling_database_url")
    )

    # The plain role the services' queries run as, so row-level security applies even though the
    # stack connects as a superuser (docs/SECURITY.md). Empty: run as the URL's user.
    app_role: str | None = "bakat_app"

    ready_timeout_s: float = 60.0
    stop_timeout_s: float = 5.0
    # Trade durability for speed (fsync off): for throwaway test clusters only.
    embedded_pg_unsafe_fast: bool = False

    @property
    def pgdata_dir(self) -> Path:
        return self.state_dir / "pgdata"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def dev_issuer_key_file(self) -> Path:
        return self.state_dir / "dev-issuer-key.pem"

    def service_port(self, service: str) -> int:
        return int(getattr(self, f"{service}_port"))

    def database_override(self, service: str) -> str | None:
        value = getattr(self, f"{service}_database_url", None)
        return str(value) if value else None


def with_free_ports(settings: DevstackSettings) -> DevstackSettings:
    """A copy with every listening port replaced by a currently free one (tests, parallel stacks)."""
    fields = ["embedded_pg_port", "embedded_kafka_port", "gateway_port", "roster_port",
              "assessment_port", "placement_port", "scheduling_port"]
    return settings.model_copy(update={name: free_port(settings.host) for name in fields})
