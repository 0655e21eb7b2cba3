"""Rate limits in front of the real services, configured as in production: tokens verified through the
issuer's JWKS (the platform's dev issuer), the platform's own services behind.

The platform's gateway runs in dev mode, where limits are off by default (the suite hammers it); this
test builds a second gateway in process with small limits and points it at the same services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from bakat_common.settings import AuthSettings
from gateway.config import GatewaySettings
from gateway.main import create_app

from .test_slice import new_kota

pytestmark = pytest.mark.e2e


@pytest.fixture
async def limited(platform) -> AsyncIterator[httpx.AsyncClient]:
    urls = platform.service_urls
    settings = GatewaySettings(
        roster_url=urls["roster"],
        assessment_url=urls["assessment"],
        placement_url=urls["placement"],
        scheduling_url=urls["scheduling"],
        dev_mode=False,
        rate_limit_enabled=True,
        rate_limit_per_s=0.5,
        rate_limit_burst=3,
        rate_limit_anonymous_per_s=0.5,
        rate_limit_anonymous_burst=2,
        auth=AuthSettings(
            issuer=f"{platform.gateway_url}/auth/dev",
            audience="bakat",
            jwks_url=f"{platform.gateway_url}/auth/dev/jwks.json",
        ),
        log_json=False,
        log_level="WARNING",
    )
    app = create_app(settings)
    proxy = app.state.proxy
    await proxy.start()  # what the lifespan does (ASGITransport does not run it)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as client:
            yield client
    finally:
        await proxy.close()


async def test_users_are_limited_by_their_verified_identity(gateway, token_for, limited) -> None:
    _, kota = await new_kota(gateway, token_for)
    ana = await token_for(kota, "officer", sub="ana")
    budi = await token_for(kota, "officer", sub="budi")
    units = f"/tenants/{kota}/units"

    answers = [await limited.get(units, headers=ana) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]  # served by roster, then refused
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] in ("1", "2")  # 2 s per token, less what refilled meanwhile
    assert "this token's user may send 0.5 requests/s (bursts of 3)" in refused.json()["detail"]

    assert (await limited.get(units, headers=budi)).status_code == 200  # another user, another bucket

    # A token the issuer did not sign gets no bucket of its own: it draws from the address's, and the
    # service (not the gateway) refuses it.
    header, payload, signature = budi["authorization"].removeprefix("Bearer ").split(".")
    forged = {"authorization": f"Bearer {header}.{payload}.{signature[:-4]}AAAA"}
    statuses = [(await limited.get(units, headers=forged)).status_code for _ in range(2)]
    statuses.append((await limited.get(units)).status_code)
    assert statuses == [401, 401, 429]
    assert (await limited.get("/healthz")).status_code == 200
    assert (await limited.get(units, headers=budi)).status_code == 200
