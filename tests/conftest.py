"""The whole platform, started by the same code `make run` uses, on free ports in a temp directory."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from bakat_devstack.platform import Endpoints, Platform
from bakat_devstack.settings import DevstackSettings, with_free_ports

# Short consumer-group timings: a group join waits about half the session timeout on Tansu.
FAST_ENV = {
    "BAKAT_KAFKA_SESSION_TIMEOUT_MS": "2000",
    "BAKAT_KAFKA_HEARTBEAT_INTERVAL_MS": "400",
    "BAKAT_LOG_LEVEL": "WARNING",
    # Placement's worker counts the nine-box for its metrics every second (15 s by default).
    "BAKAT_NINE_BOX_METRICS_INTERVAL_S": "1",
}


@pytest.fixture(scope="session")
def platform_settings() -> DevstackSettings:
    """Where the e2e platform keeps its state (data, logs, the dev issuer's key) and its ports."""
    state = Path(tempfile.mkdtemp(prefix="bakat-e2e-"))
    return with_free_ports(DevstackSettings(state_dir=state, embedded_pg_unsafe_fast=True))


@pytest.fixture(scope="session")
async def platform(platform_settings: DevstackSettings) -> AsyncIterator[Endpoints]:
    settings = platform_settings
    state = settings.state_dir
    stack = Platform(settings, base_env={**os.environ, **FAST_ENV})
    try:
        yield await stack.start()
    finally:
        stack.stop()
        if os.environ.get("BAKAT_KEEP_E2E_STATE"):  # to read the services' and PostgreSQL's logs
            print(f"e2e state kept in {state}")
        else:
            shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
async def gateway(platform: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def token_for(gateway: httpx.AsyncClient):
    """Mint a dev token through the gateway's dev issuer: `await token_for(tenant, *roles)`."""

    async def mint(tenant: str, *roles: str, sub: str = "tester") -> dict[str, str]:
        response = await gateway.post("/auth/dev/token", json={"sub": sub, "tenant": tenant, "roles": list(roles)})
        response.raise_for_status()
        return {"authorization": f"Bearer {response.json()['access_token']}"}

    return mint
