"""Migrations for the local stack: bakat_common.migrate's upgrade, and the plain role RLS binds."""

from __future__ import annotations

import re

import asyncpg
from bakat_common.migrate import alembic_config, migrate, migrations_dir

from bakat_devstack.postgres import libpq_url

__all__ = ["alembic_config", "grant_app_role", "migrate", "migrations_dir"]


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
