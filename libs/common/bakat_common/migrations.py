"""Alembic env.py body shared by every service: online, async, URL from the Alembic config."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.ext.asyncio import create_async_engine

from bakat_common.infrastructure import infrastructure_metadata


def run_migrations(service_metadata: MetaData, *, with_known_tenants: bool = True) -> None:
    """The body of every service's env.py; the target is its models plus the infrastructure tables."""
    target_metadata = [service_metadata, infrastructure_metadata(with_known_tenants)]
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def do_run(connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())
