"""Run a service's Alembic migrations programmatically (no alembic.ini: the service package has them)."""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config

from bakat_devstack.postgres import libpq_url


def migrations_dir(package_name: str) -> Path:
    """`<package>/migrations`, found through the import system (works for any install layout on disk)."""
    location = importlib.resources.files(package_name) / "migrations"
    if not isinstance(location, Path) or not location.is_dir():
        raise FileNotFoundError(f"package {package_name!r} has no migrations directory ({location})")
    return location


def alembic_config(package_name: str, async_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir(package_name)))
    # ConfigParser interpolation: a literal % (URL-encoded passwords) must be doubled.
    cfg.set_main_option("sqlalchemy.url", async_url.replace("%", "%%"))
    return cfg


def migrate(package_name: str, async_url: str, revision: str = "head") -> None:
    """Upgrade the service's database to `revision`.

    Blocking, and must not run on a thread with a running event loop: the services' env.py call
    asyncio.run. From async code: `await asyncio.to_thread(migrate, ...)`. Not thread-safe
    (alembic keeps global context): run migrations one after another.
    """
    command.upgrade(alembic_config(package_name, async_url), revision)


async def grant_app_role(server_url: str, database_url: str, role: str) -> bool:
    """Make `role` (a plain NOLOGIN role: row-level security binds it) able to use the service's
    tables, sequences and temporary tables, so the service can run its queries as it (SET ROLE). Run
    after each migration, as the owner. False (and nothing changed) when the user may not create
    roles: the service then runs as the URL's user."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", role):
        raise ValueError(f"not a plain role name: {role!r}")
    server = await asyncpg.connect(libpq_url(server_url))
    try:
        exists = await server.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
        if not exists:
            try:
                await server.execute(f"CREATE ROLE {role} NOLOGIN")
            except (asyncpg.InsufficientPrivilegeError, asyncpg.DuplicateObjectError) as exc:
                if isinstance(exc, asyncpg.InsufficientPrivilegeError):
                    return False
    finally:
        await server.close()
    db = await asyncpg.connect(libpq_url(database_url))
    try:
        superuser = await db.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not superuser:
            await db.execute(f"GRANT {role} TO current_user")  # so the owner may SET ROLE to it
        await db.execute(
            f"""
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role};
            GRANT TEMPORARY ON DATABASE "{await db.fetchval("SELECT current_database()")}" TO {role};
            """
        )
    finally:
        await db.close()
    return True
