"""The scheduling service in process on a fresh database of the embedded PostgreSQL: what the lifespan
would set up, without a broker (routes need only the database and the token verifier)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer, TokenVerifier
from bakat_common.db import create_engine, read_session_factory, session_factory
from bakat_common.settings import AuthSettings
from bakat_devstack.migrations import migrate
from bakat_devstack.postgres import ensure_database
from cryptography.hazmat.primitives.asymmetric import rsa
from scheduling.config import SchedulingSettings
from scheduling.main import create_app

AppParts = tuple[httpx.AsyncClient, ServiceRuntime, DevIssuer]


@pytest.fixture(scope="module")
def scheduling_app(embedded_postgres) -> Callable[[str], AbstractAsyncContextManager[AppParts]]:
    """`async with scheduling_app("label") as (client, runtime, issuer)`: the app on its own database."""

    @asynccontextmanager
    async def start(label: str) -> AsyncIterator[AppParts]:
        name = f"scheduling_{label}_{uuid.uuid4().hex[:6]}"
        await ensure_database(embedded_postgres.server_url, name)
        url = embedded_postgres.database_url(name)
        await asyncio.to_thread(migrate, "scheduling", url)
        issuer = DevIssuer(
            rsa.generate_private_key(public_exponent=65537, key_size=2048), "test-issuer", "bakat"
        )
        auth = AuthSettings(issuer="test-issuer", audience="bakat", public_key_pem=issuer.public_key_pem())
        settings = SchedulingSettings(
            database_url=url, run_relay=False, run_consumers=False, auth=auth, log_json=False
        )
        app = create_app(settings)
        engine = create_engine(settings)
        runtime = ServiceRuntime(
            settings=settings, engine=engine, sessions=session_factory(engine),
            read_sessions=read_session_factory(engine), metrics=app.state.metrics,
            verifier=TokenVerifier(auth),
        )  # fmt: skip
        app.state.runtime = runtime
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://scheduling"
            ) as client:
                yield client, runtime, issuer
        finally:
            await engine.dispose()

    return start
