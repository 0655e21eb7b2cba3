"""The platform's services and how to launch one: command line and environment."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # also the Python package and the settings prefix (ROSTER_DATABASE_URL, BAKAT_ROSTER_PORT)
    database: str | None  # None: no database, no migrations (the gateway)


BACKEND_SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("roster", "bakat_roster"),
    ServiceSpec("assessment", "bakat_assessment"),
    ServiceSpec("placement", "bakat_placement"),
    ServiceSpec("scheduling", "bakat_scheduling"),
)
GATEWAY = ServiceSpec("gateway", None)
# Start order: the gateway last, it fronts the others.
ALL_SERVICES: tuple[ServiceSpec, ...] = (*BACKEND_SERVICES, GATEWAY)
SERVICES_BY_NAME: dict[str, ServiceSpec] = {s.name: s for s in ALL_SERVICES}
# The dev issuer's machine client, as BKN SIASN would be in Keycloak (docs/SECURITY.md): it gets
# integration tokens for every tenant with the client-credentials grant. BAKAT_DEV_CLIENTS overrides it.
DEV_CLIENTS = {"bkn-siasn-dev": {"secret": "dev-secret", "tenant": "*", "roles": ["integration"]}}


def service_command(spec: ServiceSpec, host: str, port: int, python: str = sys.executable) -> list[str]:
    return [
        python, "-m", "uvicorn", f"{spec.name}.main:app_from_env", "--factory",
        "--host", host, "--port", str(port), "--no-access-log",
    ]


@dataclass(frozen=True)
class SharedEnv:
    """What every service is told about the stack."""

    kafka_bootstrap_servers: str
    gateway_url: str
    dev_issuer_key_file: str
    service_urls: Mapping[str, str]  # backend service name -> http://host:port


def service_env(
    spec: ServiceSpec,
    shared: SharedEnv,
    database_url: str | None,
    base: Mapping[str, str],
    *,
    database_role: str | None = None,
) -> dict[str, str]:
    """The parent's environment plus the stack's settings for this service."""
    env = dict(base)
    # Tansu makes a consumer-group join wait about half the session timeout: keep local joins short
    # (DESIGN.md section 6), unless the caller chose otherwise.
    env.setdefault("BAKAT_KAFKA_SESSION_TIMEOUT_MS", "2000")
    env.setdefault("BAKAT_KAFKA_HEARTBEAT_INTERVAL_MS", "400")
    # Tansu answers an empty fetch only after fetch_max_wait_ms, so each consumer asks that often while
    # idle: 10 ms cost ~8 % of a core per consuming service doing nothing, 25 ms ~4.5 % (50 ms ~3 %, but
    # events would then arrive ~20 ms later on average, against issue 2's 100 ms p99). docs/BENCHMARKS.md.
    env.setdefault("BAKAT_KAFKA_FETCH_MAX_WAIT_MS", "25")
    env.update({
        "BAKAT_KAFKA_BOOTSTRAP_SERVERS": shared.kafka_bootstrap_servers,
        "BAKAT_DEV_MODE": "true",
        "BAKAT_DEV_ISSUER_KEY_FILE": shared.dev_issuer_key_file,
        "BAKAT_AUTH_JWKS_URL": f"{shared.gateway_url}/auth/dev/jwks.json",
        "BAKAT_AUTH_ISSUER": f"{shared.gateway_url}/auth/dev",
        "PYTHONUNBUFFERED": "1",  # log lines reach us (and the user) as they happen
    })
    if database_url is not None:
        env["BAKAT_DATABASE_URL"] = database_url
    else:
        env.pop("BAKAT_DATABASE_URL", None)
    if database_role is not None:
        env["BAKAT_DATABASE_ROLE"] = database_role  # row-level security binds it (not a superuser)
    if spec.name == GATEWAY.name:
        env.setdefault("BAKAT_DEV_CLIENTS", json.dumps(DEV_CLIENTS))
        for name, url in shared.service_urls.items():
            env[f"BAKAT_{name.upper()}_URL"] = url
    return env
