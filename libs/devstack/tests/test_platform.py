"""Platform supervision with stand-in services (tests/fake_services): env, readiness, failure, stop.

The real services are tested end to end elsewhere; this checks the devstack's own job.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest
from bakat_devstack.broker import BrokerHandle
from bakat_devstack.platform import Platform, ServiceFailed
from bakat_devstack.postgres import PostgresHandle
from bakat_devstack.process import pid_alive
from bakat_devstack.settings import DevstackSettings, with_free_ports
from cryptography.hazmat.primitives.serialization import load_pem_private_key

pytestmark = pytest.mark.integration

FAKES = Path(__file__).parent / "fake_services"


def _settings(tmp_path: Path, pg: PostgresHandle, broker: BrokerHandle) -> DevstackSettings:
    # Reuse the session's infrastructure: the Platform then only does databases, topics and children.
    return with_free_ports(DevstackSettings(
        state_dir=tmp_path,
        postgres_url=pg.server_url,
        kafka_bootstrap_servers=broker.bootstrap_servers,
        ready_timeout_s=30,
        stop_timeout_s=3,
    ))


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(FAKES), **extra}


async def test_services_start_with_their_env_and_a_death_is_reported(
    tmp_path: Path, embedded_postgres: PostgresHandle, embedded_broker: BrokerHandle
) -> None:
    settings = _settings(tmp_path, embedded_postgres, embedded_broker)
    platform = Platform(settings, services=["gateway", "roster"], run_migrations=False, base_env=_env())
    endpoints = await platform.start()
    pids = [child.pid for child in platform.children.values()]
    try:
        assert list(platform.children) == ["roster", "gateway"]  # gateway last
        gateway = f"http://127.0.0.1:{settings.gateway_port}"
        roster = f"http://127.0.0.1:{settings.roster_port}"
        assert endpoints.gateway_url == gateway
        assert endpoints.service_urls == {"roster": roster, "gateway": gateway}
        assert endpoints.database_urls == {"roster": embedded_postgres.database_url("bakat_roster")}

        async with httpx.AsyncClient(trust_env=False) as client:
            gw_env = (await client.get(f"{gateway}/env")).json()
            roster_env = (await client.get(f"{roster}/env")).json()
        assert roster_env["BAKAT_DATABASE_URL"] == endpoints.database_urls["roster"]
        assert "BAKAT_DATABASE_URL" not in gw_env
        for env in (gw_env, roster_env):
            assert env["BAKAT_KAFKA_BOOTSTRAP_SERVERS"] == embedded_broker.bootstrap_servers
            assert env["BAKAT_DEV_MODE"] == "true"
            assert env["BAKAT_AUTH_JWKS_URL"] == f"{gateway}/auth/dev/jwks.json"
            assert env["BAKAT_AUTH_ISSUER"] == f"{gateway}/auth/dev"
        assert gw_env["BAKAT_ROSTER_URL"] == roster
        assert gw_env["BAKAT_SCHEDULING_URL"] == f"http://127.0.0.1:{settings.scheduling_port}"
        key = load_pem_private_key(Path(gw_env["BAKAT_DEV_ISSUER_KEY_FILE"]).read_bytes(), password=None)
        assert key.key_size == 2048  # type: ignore[union-attr]

        os.kill(platform.children["roster"].pid or 0, signal.SIGKILL)
        report = await platform.wait_for_failure(poll_s=0.05)
        assert report.startswith("roster exited with code -9")
    finally:
        platform.stop()
    assert not any(pid_alive(pid) for pid in pids if pid)


async def test_a_service_failing_to_start_fails_start_with_its_output(
    tmp_path: Path, embedded_postgres: PostgresHandle, embedded_broker: BrokerHandle
) -> None:
    settings = _settings(tmp_path, embedded_postgres, embedded_broker)
    platform = Platform(settings, services=["placement"], run_migrations=False,
                        base_env=_env(FAKE_FAIL_SERVICE="placement"))
    with pytest.raises(ServiceFailed, match="placement exited with code") as failure:
        await platform.start()
    assert "refuses to start" in str(failure.value)
    assert platform.children and all(child.reaped for child in platform.children.values())


def test_unknown_service_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown services"):
        Platform(DevstackSettings(), services=["nope"])
