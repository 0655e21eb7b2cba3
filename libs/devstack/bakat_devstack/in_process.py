"""A service app in process on its own fresh database, for a service's own integration tests: what
the lifespan would set up, without a broker (routes need only the database and the token verifier).

    async with in_process_service(embedded_postgres, "placement", PlacementSettings, create_app, "label")
        as (client, runtime, issuer): ...
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer
from bakat_common.settings import AuthSettings
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from bakat_devstack.migrations import migrate
from bakat_devstack.postgres import PostgresHandle, ensure_database

AppParts = tuple[httpx.AsyncClient, ServiceRuntime, DevIssuer]


@asynccontextmanager
async def in_process_service(
    postgres: PostgresHandle,
    package: str,
    settings_type: Callable[..., Any],
    create_app: Callable[[Any], FastAPI],
    label: str,
    **settings: Any,
) -> AsyncIterator[AppParts]:
    """The app of service `package` on a new database `<package>_<label>_<random>`, migrated; a client
    talking to it over ASGI, its runtime, and a token issuer its verifier trusts. `settings` override
    the service's settings (e.g. db_pool_size)."""
    name = f"{package}_{label}_{uuid.uuid4().hex[:6]}"
    await ensure_database(postgres.server_url, name)
    url = postgres.database_url(name)
    await asyncio.to_thread(migrate, package, url)
    issuer = DevIssuer(rsa.generate_private_key(public_exponent=65537, key_size=2048), "test-issuer", "bakat")
    auth = AuthSettings(issuer="test-issuer", audience="bakat", public_key_pem=issuer.public_key_pem())
    settings = settings_type(
        **{"database_url": url, "run_relay": False, "run_consumers": False, "auth": auth, "log_json": False}
        | settings
    )
    app = create_app(settings)
    # The registry the app's /metrics serves, and the app's own domain metrics.
    runtime = ServiceRuntime.open(settings, app.state.metrics, app.state.domain_metrics)
    app.state.runtime = runtime
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{package}"
        ) as client:
            yield client, runtime, issuer
    finally:
        await runtime.close()
