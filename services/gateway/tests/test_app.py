"""Process-level behaviour: health, readiness, CORS."""

from __future__ import annotations

import httpx
from gateway.config import GatewaySettings
from gateway.main import app_from_env, create_app


async def test_health_and_readiness_do_not_depend_on_backends(stack) -> None:
    # assessment and scheduling are down in this stack: the gateway is still ready to serve the rest.
    async with httpx.AsyncClient(base_url=stack.url) as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


async def test_not_ready_before_the_lifespan_started() -> None:
    app = create_app(GatewaySettings(log_json=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as client:
        assert (await client.get("/readyz")).status_code == 503


async def test_cors_preflight_for_configured_origins() -> None:
    app = create_app(GatewaySettings(cors_origins=["http://app.example"], log_json=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as client:
        ok = await client.options(
            "/tenants/t1/units",
            headers={
                "Origin": "http://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        other = await client.options(
            "/tenants/t1/units",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://app.example"
    assert "access-control-allow-origin" not in other.headers


def test_app_from_env(monkeypatch) -> None:
    monkeypatch.setenv("BAKAT_DEV_MODE", "false")
    monkeypatch.setenv("BAKAT_LOG_JSON", "false")
    app = app_from_env()
    assert app.state.settings.dev_mode is False


async def test_no_cors_headers_without_configured_origins(stack) -> None:
    # No origins configured: a preflight is just an OPTIONS request forwarded to the service, and no
    # answer grants a browser cross-origin access.
    assert stack.settings.cors_origins == []
    origin = {"Origin": "http://app.example"}
    async with httpx.AsyncClient(base_url=stack.url) as client:
        preflight = await client.options(
            "/tenants/t1/units", headers={**origin, "Access-Control-Request-Method": "POST"}
        )
        plain = await client.get("/tenants/t1/units", headers=origin)
    assert preflight.json()["service"] == "roster" and preflight.json()["method"] == "OPTIONS"
    for response in (preflight, plain):
        assert not [name for name in response.headers if name.startswith("access-control-")]
