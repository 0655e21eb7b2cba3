"""Health and readiness of a service process, against real and unreachable infrastructure."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from bakat_common.app import create_service_app
from bakat_common.consumer import is_transient
from bakat_common.settings import KafkaSettings, ServiceSettings
from bakat_devstack.ports import free_port
from sqlalchemy import text

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


async def test_a_busy_pool_leaves_the_pod_ready_and_the_probe_answers_at_once(embedded_postgres):
    """Every connection of the pool is taken (a burst of requests): the probe asks the database on a
    connection of its own, so it neither waits out the pool timeout nor reports the database down."""
    settings = ServiceSettings(
        service_name="probe",
        database_url=embedded_postgres.database_url("postgres"),
        run_relay=False,
        run_consumers=False,
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout_s=10,
    )
    app = create_service_app(settings, title="t", description="t", routers=[])
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            async with runtime.engine.connect() as held:
                await held.execute(text("SELECT 1"))
                started = time.monotonic()
                response = await client.get("/readyz")
                elapsed = time.monotonic() - started
    assert response.json()["checks"]["database"] == "ok"
    assert elapsed < 2


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


async def test_each_request_starts_with_an_empty_tenant_scope_and_leaves_the_callers_context_alone():
    """An in-process client runs the app in the caller's context (uvicorn gives each request its own):
    a request's tenant scope, or a service's own per-request variable, must not carry over."""
    from contextvars import ContextVar

    from bakat_common.db import scope_value, tenant_scope, use_tenant_scope
    from fastapi import APIRouter

    checked: ContextVar[str] = ContextVar("checked", default="never")
    router = APIRouter()

    @router.get("/seen")
    async def seen() -> list[str]:
        before = [tenant_scope.get(), checked.get()]
        use_tenant_scope(["kota-batu"])
        checked.set("kota-batu")
        return before

    settings = ServiceSettings(service_name="probe", database_url="postgresql+asyncpg://x@127.0.0.1:9/x")
    app = create_service_app(
        settings, title="t", description="t", routers=[router], request_context=[(checked, "nothing")]
    )
    use_tenant_scope(["kota-caller"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answers = [(await client.get("/seen")).json() for _ in range(2)]
    assert answers == [["", "nothing"], ["", "nothing"]]
    assert (tenant_scope.get(), checked.get()) == (scope_value(["kota-caller"]), "never")
