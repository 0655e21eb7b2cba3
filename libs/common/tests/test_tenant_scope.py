"""The tenant scope reaches PostgreSQL in every transaction, and the `set_config` round trip is saved
only when the pooled connection is known to carry exactly that scope already."""

from __future__ import annotations

import uuid

import pytest
from bakat_common.db import (
    read_session_factory,
    session_factory,
    set_tenant_scope,
    unit_of_work,
    use_tenant_scope,
)
from bakat_devstack.postgres import ensure_database
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

CURRENT = text("SELECT current_setting('bakat.tenants', true)")


@pytest.fixture
async def engine(embedded_postgres):
    name = f"scope_it_{uuid.uuid4().hex[:8]}"
    await ensure_database(embedded_postgres.server_url, name)
    # One connection: every session below gets the same PostgreSQL session back from the pool.
    engine = create_async_engine(embedded_postgres.database_url(name), pool_size=1, max_overflow=0)
    statements: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    engine.sync_engine.info = {"statements": statements}  # type: ignore[attr-defined]
    yield engine
    await engine.dispose()


def set_configs(engine) -> int:
    statements = engine.sync_engine.info["statements"]
    n = sum("set_config" in s for s in statements)
    statements.clear()
    return n


async def test_a_committed_scope_is_not_set_again_on_the_same_connection(engine):
    sessions = session_factory(engine)
    use_tenant_scope(["kota-a"])
    async with unit_of_work(sessions) as session:
        assert await session.scalar(CURRENT) == "kota-a"
    assert set_configs(engine) == 1
    async with unit_of_work(sessions) as session:
        assert await session.scalar(CURRENT) == "kota-a"
    assert set_configs(engine) == 0
    use_tenant_scope(["kota-b"])
    async with unit_of_work(sessions) as session:
        assert await session.scalar(CURRENT) == "kota-b"
    assert set_configs(engine) == 1


async def test_a_rolled_back_transaction_leaves_the_scope_unknown(engine):
    sessions = session_factory(engine)
    use_tenant_scope(["kota-a"])
    async with unit_of_work(sessions) as session:
        await session.scalar(CURRENT)
    use_tenant_scope(["kota-b"])
    with pytest.raises(RuntimeError):
        async with unit_of_work(sessions) as session:
            assert await session.scalar(CURRENT) == "kota-b"
            raise RuntimeError("the use case failed")
    set_configs(engine)
    # PostgreSQL took the setting back to kota-a with the rollback: kota-b must be set again.
    async with unit_of_work(sessions) as session:
        assert await session.scalar(CURRENT) == "kota-b"
    assert set_configs(engine) == 1


async def test_autocommit_read_sessions_keep_the_scope(engine):
    reads = read_session_factory(engine)
    use_tenant_scope(["kota-a"])
    for _ in range(3):
        async with reads() as session:
            assert await session.scalar(CURRENT) == "kota-a"
    assert set_configs(engine) == 1
    use_tenant_scope(["kota-b"])
    async with reads() as session:
        assert await session.scalar(CURRENT) == "kota-b"
    assert set_configs(engine) == 1
    # a transaction after the read: the connection is known to carry kota-b
    async with unit_of_work(session_factory(engine)) as session:
        assert await session.scalar(CURRENT) == "kota-b"
    assert set_configs(engine) == 0


async def test_a_scope_changed_in_a_rolled_back_savepoint_is_set_again(engine):
    sessions = session_factory(engine)
    use_tenant_scope(["kota-a"])
    async with unit_of_work(sessions) as session:
        await session.scalar(CURRENT)
        savepoint = await session.begin_nested()
        await set_tenant_scope(session, ["kota-b"])
        assert await session.scalar(CURRENT) == "kota-b"
        await savepoint.rollback()
        assert await session.scalar(CURRENT) == "kota-a"  # PostgreSQL took it back
    set_configs(engine)
    use_tenant_scope(["kota-b"])
    async with unit_of_work(sessions) as session:
        assert await session.scalar(CURRENT) == "kota-b"
    assert set_configs(engine) == 1


async def test_a_scope_changed_in_a_released_savepoint_of_a_rolled_back_transaction(engine):
    sessions = session_factory(engine)
    use_tenant_scope(["kota-a"])
    with pytest.raises(RuntimeError):
        async with unit_of_work(sessions) as session:
            await session.scalar(CURRENT)
            async with session.begin_nested():
                await session.scalar(CURRENT)
            raise RuntimeError("the use case failed")
    set_configs(engine)
    async with unit_of_work(sessions) as session:
        assert await session.scalar(CURRENT) == "kota-a"
    assert set_configs(engine) == 1
