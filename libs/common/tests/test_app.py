"""Health and readiness of a service process, against real and unreachable infrastructure."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from bakat_common.app import create_service_app
from bakat_common.consumer import is_transient
from bakat_common.settings import KafkaSettings, ServiceSettings
from bakat_devstack.ports import free_port

pytestmark = pytest.mark.integration


async def readiness(settings: ServiceSettings, expect: int) -> tuple[httpx.Response, str]:
    """The /readyz answer, and /metrics right after it."""
    app = create_service_app(settings, title="t", description="t", routers=[])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/healthz")).status_code == 200
            for _ in range(50):  # the producer connects in the background
                response = await client.get("/readyz")
                if response.status_code == expect:
                    break
                await asyncio.sleep(0.1)
            return response, (await client.get("/metrics/")).text


async def test_ready_when_database_and_broker_answer(embedded_postgres, embedded_broker):
    settings = ServiceSettings(
        service_name="probe",
        database_url=embedded_postgres.database_url("postgres"),
        run_relay=False,
        run_consumers=False,
        kafka=KafkaSettings(bootstrap_servers=embedded_broker.bootstrap_servers),
    )
    response, metrics = await readiness(settings, 200)
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
    assert 'bakat_ready{check="database"} 1.0' in metrics and 'bakat_ready{check="broker"} 1.0' in metrics


async def test_not_ready_when_database_and_broker_are_down():
    closed = free_port("127.0.0.1")
    settings = ServiceSettings(
        service_name="probe",
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{closed}/x",
        run_relay=False,
        run_consumers=False,
        kafka=KafkaSettings(bootstrap_servers=f"127.0.0.1:{closed}"),
    )
    response, metrics = await readiness(settings, 503)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"].startswith("down") and checks["broker"].startswith("down")
    assert 'bakat_ready{check="database"} 0.0' in metrics and 'bakat_ready{check="broker"} 0.0' in metrics


def test_only_infrastructure_trouble_is_transient():
    from sqlalchemy.exc import DBAPIError

    class Orig(Exception):
        def __init__(self, sqlstate):
            self.sqlstate = sqlstate

    def db_error(code: str) -> DBAPIError:
        return DBAPIError("stmt", {}, Orig(code))

    assert is_transient(ConnectionRefusedError())
    assert is_transient(db_error("08006"))  # connection failure
    assert is_transient(db_error("57P01"))  # admin shutdown
    assert is_transient(db_error("40P01"))  # deadlock
    assert not is_transient(db_error("22P02"))  # invalid input: the event's fault
    assert not is_transient(db_error("23505"))
    assert not is_transient(ValueError("bad payload"))
