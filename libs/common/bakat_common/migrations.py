"""Alembic env.py body shared by every service (online, async, URL from the Alembic config), and the
row-level security every service's tenant tables get."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

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
            # A migration that touches rows works on every tenant's (row-level security binds the
            # owner too: FORCE ROW LEVEL SECURITY). Inside the transaction: a statement before it
            # would open one that Alembic then never commits.
            connection.exec_driver_sql("SELECT set_config('bakat.tenants', '*', false)")
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())


# ---- row-level security: the second wall between tenants --------------------------------------------

# Rows whose tenant is in the transaction's scope (bakat_common.db.set_tenant_scope); '*' is every tenant
# (platform operators). An unset scope is empty: no rows. The scope is read in sub-selects, which
# PostgreSQL evaluates once per statement (InitPlans) instead of once per row: per row, reading the
# setting and splitting it tripled a 10,000-row count (2.4 -> 6.5 ms).
TENANT_VISIBLE = (
    "(SELECT current_setting('bakat.tenants', true) = '*')"
    " OR tenant_id = ANY (ARRAY(SELECT unnest(string_to_array(current_setting('bakat.tenants', true), ','))))"
)
# The first form (migrations before the sub-select form): the same rows, evaluated per row.
TENANT_VISIBLE_PER_ROW = (
    "current_setting('bakat.tenants', true) = '*'"
    " OR tenant_id = ANY (string_to_array(current_setting('bakat.tenants', true), ','))"
)


def enable_tenant_isolation(
    op, tables: Sequence[str], *, children: Mapping[str, tuple[str, str]] = {}
) -> None:
    """Row-level security on `tables` (each with a tenant_id column), forced on the tables' owner too,
    and on `children`: tables without a tenant_id that belong to a row of a tenant table, given as
    {child: (parent table, child column referencing the parent's id)}, visible when their parent is."""
    for table in tables:
        _force(op, table, TENANT_VISIBLE)
    for child, (parent, column) in children.items():
        _force(op, child, f"EXISTS (SELECT 1 FROM {parent} p WHERE p.id = {child}.{column})")


def _force(op, table: str, visible: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_scope ON {table} USING ({visible}) WITH CHECK ({visible})")


def rewrite_tenant_policies(op, visible: str = TENANT_VISIBLE) -> None:
    """Give every tenant table's policy (enable_tenant_isolation's, on a table with a tenant_id) the
    expression `visible`. Child tables' policies (their parent's rows) are left as they are."""
    tables = op.get_bind().exec_driver_sql(
        "SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE p.polname = 'tenant_scope' AND n.nspname = current_schema()"
        " AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'"
        " AND NOT a.attisdropped) ORDER BY c.relname"
    ).scalars().all()
    for table in tables:
        op.execute(f"ALTER POLICY tenant_scope ON {table} USING ({visible}) WITH CHECK ({visible})")


def disable_tenant_isolation(op, tables: Sequence[str]) -> None:
    for table in tables:
        op.execute(f"DROP POLICY IF EXISTS tenant_scope ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
