"""Fixtures for the shared library's integration tests: a fresh database and broker topics per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer
from bakat_common.infrastructure import metadata as infrastructure_metadata
from bakat_common.settings import KafkaSettings
from bakat_devstack.postgres import ensure_database
from sqlalchemy import Column, Integer, MetaData, String, Table, Text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

test_metadata = MetaData()
# One row per handler run: a second row for the same event id means the effect happened twice.
effects = Table(
    "effects",
    test_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("note", Text),
)


@pytest.fixture(scope="session")
async def common_engine(embedded_postgres) -> AsyncIterator[AsyncEngine]:
    name = f"common_it_{uuid.uuid4().hex[:8]}"
    await ensure_database(embedded_postgres.server_url, name)
    engine = create_async_engine(embedded_postgres.database_url(name), pool_size=5)
    async with engine.begin() as conn:
        await conn.run_sync(infrastructure_metadata.create_all)
        await conn.run_sync(test_metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sessions(common_engine) -> async_sessionmaker[AsyncSession]:
    async with common_engine.begin() as conn:
        for table in ("outbox", "inbox", "effects"):
            await conn.exec_driver_sql(f"TRUNCATE {table} RESTART IDENTITY")
    return async_sessionmaker(common_engine, expire_on_commit=False)


@pytest.fixture
def kafka_settings(embedded_broker) -> KafkaSettings:
    return KafkaSettings(
        bootstrap_servers=embedded_broker.bootstrap_servers,
        fetch_max_wait_ms=10,
        session_timeout_ms=2000,
        heartbeat_interval_ms=400,
    )


@pytest.fixture
async def producer(kafka_settings) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=kafka_settings.bootstrap_servers, acks="all", enable_idempotence=False)
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
def topic() -> str:
    return f"it.{uuid.uuid4().hex[:10]}"
