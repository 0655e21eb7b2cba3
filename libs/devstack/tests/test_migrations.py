"""migrate(): a package's Alembic migrations, run programmatically against a real database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from bakat_devstack.migrations import migrate, migrations_dir
from bakat_devstack.postgres import PostgresHandle, drop_database, ensure_database, libpq_url

pytestmark = pytest.mark.integration

HERE = Path(__file__).parent


async def test_migrate_to_head(embedded_postgres: PostgresHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(HERE))  # makes `fake_migrated` importable
    assert migrations_dir("fake_migrated") == HERE / "fake_migrated" / "migrations"

    name = "bakat_devstack_migrations"
    await drop_database(embedded_postgres.server_url, name)
    await ensure_database(embedded_postgres.server_url, name)
    url = embedded_postgres.database_url(name)

    # env.py calls asyncio.run: off the event loop's thread, as the Platform does. Twice: idempotent.
    await asyncio.to_thread(migrate, "fake_migrated", url)
    await asyncio.to_thread(migrate, "fake_migrated", url)

    conn = await asyncpg.connect(libpq_url(url))
    try:
        assert await conn.fetchval("select version_num from alembic_version") == "0001"
        assert await conn.fetchval("select count(*) from widgets") == 0
    finally:
        await conn.close()


def test_missing_migrations_dir_is_a_clear_error() -> None:
    with pytest.raises(FileNotFoundError, match="no migrations directory"):
        migrations_dir("bakat_devstack")
