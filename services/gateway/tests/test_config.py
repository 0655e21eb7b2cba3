from __future__ import annotations

import pytest
from gateway.config import GatewaySettings


def test_defaults() -> None:
    s = GatewaySettings(_env_file=None)
    assert s.service_urls() == {
        "roster": "http://127.0.0.1:8001",
        "assessment": "http://127.0.0.1:8002",
        "placement": "http://127.0.0.1:8003",
        "scheduling": "http://127.0.0.1:8004",
    }
    assert s.dev_mode is False and s.cors_origins == []
    assert s.connect_timeout_s == 1.0 and s.request_timeout_s == 10.0


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAKAT_ROSTER_URL", "http://roster:8000/")
    monkeypatch.setenv("BAKAT_DEV_MODE", "true")
    monkeypatch.setenv("BAKAT_DEV_ISSUER_KEY_FILE", "/tmp/k.pem")
    monkeypatch.setenv("BAKAT_AUTH_ISSUER", "http://gw:8000/auth/dev")
    monkeypatch.setenv("BAKAT_CORS_ORIGINS", "http://a.example, http://b.example")
    monkeypatch.setenv("BAKAT_RETRIES", "2")
    s = GatewaySettings()
    assert s.roster_url == "http://roster:8000"  # trailing slash dropped: paths are appended
    assert s.dev_mode and s.dev_issuer_key_file == "/tmp/k.pem"
    assert s.auth.issuer == "http://gw:8000/auth/dev"
    assert s.cors_origins == ["http://a.example", "http://b.example"]
    assert s.retries == 2


def test_cors_origins_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAKAT_CORS_ORIGINS", '["http://a.example"]')
    assert GatewaySettings().cors_origins == ["http://a.example"]


def test_retries_are_bounded() -> None:
    with pytest.raises(ValueError):
        GatewaySettings(retries=10)
