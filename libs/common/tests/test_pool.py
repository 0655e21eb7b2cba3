"""The connection pool serves waiting requests in the order they came (bakat_common.pool), on a real
PostgreSQL: a connection given back goes to the longest waiter, not to whoever asks next."""

from __future__ import annotations

import asyncio

import pytest
from bakat_common.pool import FairAsyncPool
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

pytestmark = pytest.mark.integration


async def served_order(url: str, poolclass) -> list[str]:
    """One connection, held; a request waits for it; the holder gives it back and asks again at once."""
    engine = create_async_engine(url, poolclass=poolclass, pool_size=1, max_overflow=0, pool_timeout=5)
    order: list[str] = []
    try:
        held = await engine.connect()
        await held.execute(text("SELECT 1"))

        async def waiting() -> None:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                order.append("waiting since before")

        waiter = asyncio.create_task(waiting())
        await asyncio.sleep(0.05)  # the waiter is queued
        await held.close()
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            order.append("asked just now")
        await waiter
    finally:
        await engine.dispose()
    return order


async def test_a_connection_given_back_goes_to_the_longest_waiter(embedded_postgres):
    url = embedded_postgres.database_url("postgres")
    assert await served_order(url, FairAsyncPool) == ["waiting since before", "asked just now"]
    # SQLAlchemy's own pool lets the newcomer take it first (why FairAsyncPool exists).
    assert await served_order(url, AsyncAdaptedQueuePool) == ["asked just now", "waiting since before"]


async def test_a_waiter_that_timed_out_or_was_cancelled_takes_no_connection_with_it(embedded_postgres):
    engine = create_async_engine(
        embedded_postgres.database_url("postgres"),
        poolclass=FairAsyncPool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.2,
    )
    try:
        held = await engine.connect()
        await held.execute(text("SELECT 1"))
        with pytest.raises(exc.TimeoutError):
            await engine.connect()
        cancelled = asyncio.create_task(engine.connect().start())
        await asyncio.sleep(0.05)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        await held.close()
        async with engine.connect() as conn:  # the one connection is free again, at once
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
            assert engine.pool.checkedout() == 1
        assert (engine.pool.checkedin(), engine.pool.checkedout()) == (1, 0)
    finally:
        await engine.dispose()
