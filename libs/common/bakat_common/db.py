"""Async engine, sessions and the unit of work (SQLAlchemy 2 + asyncpg), and the tenant scope that
PostgreSQL's row-level security reads."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from pydantic_core import to_json
from sqlalchemy import (
    ColumnElement,
    MetaData,
    String,
    Table,
    any_,
    event,
    func,
    literal,
    literal_column,
    text,
)
from sqlalchemy import types as sa_types
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.selectable import TableValuedAlias

from bakat_common.pool import FairAsyncPool
from bakat_common.settings import ServiceSettings

log = logging.getLogger("bakat.db")

# Stable constraint names so Alembic migrations are reproducible.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


class ServiceBase(DeclarativeBase):
    """Each service subclasses this once (with its own MetaData) for its domain models."""

    __abstract__ = True


def _connect_args(settings: ServiceSettings) -> dict[str, Any]:
    if settings.database_role:
        # A startup parameter, like SET ROLE: every connection of the pool runs as this role.
        return {"server_settings": {"role": settings.database_role}}
    return {}


def create_engine(settings: ServiceSettings) -> AsyncEngine:
    """The requests' and consumers' engine: a fixed pool (docs/CONFIGURATION.md says why)."""
    return create_async_engine(
        settings.database_url,
        poolclass=FairAsyncPool,  # waiting requests are served in arrival order (bakat_common.pool)
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        pool_pre_ping=settings.db_pool_pre_ping,
        connect_args=_connect_args(settings),
    )


def create_side_engine(settings: ServiceSettings) -> AsyncEngine:
    """An engine with no pool, for what must not wait behind the main pool: a background job's side
    writes (progress, heartbeat) and the readiness probe. Each use opens its own connection.

    A job writes its progress while its own transaction holds a connection of the main pool; from that
    pool the write could wait behind the job itself, or behind a burst of requests, until the pool
    timeout fails the job or makes it look lost. These uses come a few times a second at most, so a
    connection each costs nothing that matters."""
    return create_async_engine(settings.database_url, poolclass=NullPool, connect_args=_connect_args(settings))


# ---- the tenant scope -------------------------------------------------------------------------------
#
# Every tenant table has a row-level security policy (bakat_common.migrations.TENANT_POLICY) that
# shows and accepts only rows whose tenant_id is in the setting `bakat.tenants` ('*': all). Each
# transaction sets it from `tenant_scope` as it begins; the route's tenant check, the consumer (the
# tenants of its batch) and the jobs set `tenant_scope`. Unset, it is empty: no rows at all, so a
# query that forgets its tenant filter, or code that forgets to set the scope, sees nothing foreign.

SCOPE_SETTING = "bakat.tenants"
EVERY_TENANT = "*"
tenant_scope: ContextVar[str] = ContextVar("bakat_tenant_scope", default="")
_SCOPE_APPLIED = "bakat_tenant_scope"  # session.info: the scope of the open transaction's connection
# session.info: (the Connection, the scope) that the open transaction set: known to hold on that
# PostgreSQL session once (and only if) the connection's transaction commits.
_SCOPE_PENDING = "bakat_tenant_scope_pending"
# Connection.info (kept with the pooled DBAPI connection, dropped with it): the value the setting is
# known to have on that PostgreSQL session. Absent: unknown, set it.
_SCOPE_ON_CONNECTION = "bakat_tenant_scope"
_SET_SCOPE = text(f"SELECT set_config('{SCOPE_SETTING}', :scope, false)")


def scope_value(tenants: Iterable[str]) -> str:
    chosen = set(tenants)
    return EVERY_TENANT if EVERY_TENANT in chosen else ",".join(sorted(chosen))


def use_tenant_scope(tenants: Iterable[str]) -> None:
    """Let the transactions this task begins from now on (and tasks it starts) see and write the rows
    of `tenants` only: for a job or a consumer batch, before its first unit of work."""
    tenant_scope.set(scope_value(tenants))


async def set_tenant_scope(session: AsyncSession, tenants: Iterable[str]) -> None:
    """use_tenant_scope, and for the session's transaction if one is already open."""
    value = scope_value(tenants)
    tenant_scope.set(value)
    applied = session.info.get(_SCOPE_APPLIED)
    if applied is not None and applied != value:  # the transaction's connection has another scope
        connection = (await session.connection()).sync_connection
        # Unknown from here: a savepoint rolled back, or the transaction, would take the value back.
        connection.info.pop(_SCOPE_ON_CONNECTION, None)
        session.info.pop(_SCOPE_PENDING, None)
        await session.execute(_SET_SCOPE, {"scope": value})
        if _autocommit(connection):  # committed as it ran
            connection.info[_SCOPE_ON_CONNECTION] = value
        session.info[_SCOPE_APPLIED] = value


def _autocommit(connection: Any) -> bool:
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


class ScopedSession(Session):
    """A Session that hands the task's tenant scope to PostgreSQL when a transaction begins."""


@event.listens_for(ScopedSession, "after_begin")
def _apply_tenant_scope(session: Session, transaction: Any, connection: Any) -> None:
    # Session-wide (not transaction-local) so it also holds in autocommit read sessions. Every
    # transaction runs with the task's scope: set afresh unless the pooled connection is known to
    # have exactly this value already (a round trip saved per request). Known means: set by an
    # autocommit statement that succeeded, or by a transaction that committed; a transaction that
    # set it and rolled back leaves the value unknown, so the next one sets it again.
    scope = tenant_scope.get()
    info = connection.info
    if info.get(_SCOPE_ON_CONNECTION) != scope:
        info.pop(_SCOPE_ON_CONNECTION, None)
        connection.execute(_SET_SCOPE, {"scope": scope})
        if _autocommit(connection):
            info[_SCOPE_ON_CONNECTION] = scope
        else:
            session.info[_SCOPE_PENDING] = (connection, scope)
    session.info[_SCOPE_APPLIED] = scope


@event.listens_for(ScopedSession, "after_commit")
def _confirm_tenant_scope(session: Session) -> None:
    # After PostgreSQL's COMMIT succeeded, before the connection goes back to the pool. Also called when
    # a savepoint is released, and for a session joined to an outer transaction it does not commit:
    # the connection is then still in a transaction, that may yet roll back; wait for the real COMMIT.
    pending = session.info.get(_SCOPE_PENDING)
    if pending is None:
        return
    connection, scope = pending
    if connection.closed or connection.invalidated or connection.in_transaction():
        return
    session.info.pop(_SCOPE_PENDING)
    connection.info[_SCOPE_ON_CONNECTION] = scope


@event.listens_for(ScopedSession, "after_transaction_end")
def _forget_tenant_scope(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: its connection goes back to the pool
        session.info.pop(_SCOPE_APPLIED, None)
        session.info.pop(_SCOPE_PENDING, None)  # not committed: the value stays unknown


# ---- after commit -----------------------------------------------------------------------------------
#
# A metric that counts a change (assessments completed, import jobs) must count it only once it is
# durable: a request that fails at commit changed nothing and must count nothing.

_ON_COMMIT = "bakat_on_commit"  # session.info: [(savepoint it was registered in or None, action)]


def on_commit(session: AsyncSession, action: Callable[[], None]) -> None:
    """Run `action` (quick, no I/O: a counter increment) once the session's outermost transaction
    commits; never when it (or the savepoint the action was registered in) rolls back."""
    sync = session.sync_session
    session.info.setdefault(_ON_COMMIT, []).append((sync.get_nested_transaction(), action))


@event.listens_for(ScopedSession, "after_commit")
def _run_on_commit(session: Session) -> None:
    pending = session.info.get(_ON_COMMIT)
    if not pending:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is not None:  # a savepoint released: nothing is durable yet; its actions now wait
        parent = savepoint.parent  # on the enclosing savepoint, or the outermost transaction (None)
        outer = parent if parent is not None and parent.nested else None
        session.info[_ON_COMMIT] = [(outer if tag is savepoint else tag, a) for tag, a in pending]
        return
    del session.info[_ON_COMMIT]
    for _, action in pending:
        try:
            action()
        except Exception:  # the change is committed: a failing metric must not turn it into a 500
            log.exception("an after-commit action failed")


@event.listens_for(ScopedSession, "after_soft_rollback")
def _drop_on_commit(session: Session, previous_transaction: Any) -> None:
    pending = session.info.get(_ON_COMMIT)
    if not pending:
        return
    if previous_transaction.nested:  # a savepoint rolled back: only what was registered in it goes
        session.info[_ON_COMMIT] = [(tag, a) for tag, a in pending if tag is not previous_transaction]
    else:
        del session.info[_ON_COMMIT]


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=ScopedSession)


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions without a transaction (autocommit): each query is one round trip, with no BEGIN and
    COMMIT around it. For reads that need no consistent snapshot across statements."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        sync_session_class=ScopedSession,
    )


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: the change and its outbox rows commit together or not at all."""
    async with sessions() as session, session.begin():
        yield session


async def copy_records(
    session: AsyncSession,
    table: str,
    columns: Sequence[str],
    records: Sequence[tuple[Any, ...]],
    *,
    tenant_table: bool = False,
) -> None:
    """Bulk insert with PostgreSQL COPY inside the session's transaction: 10-20x faster than
    multi-row INSERTs for an import's hundred thousand rows. Columns left out take their server
    defaults; JSONB values are passed as JSON text.

    PostgreSQL refuses COPY FROM into a table under row-level security: for a `tenant_table` the rows
    are copied into a temporary table of the same columns and moved with one INSERT ... SELECT, which
    the tenant policy checks like any insert."""
    if not records:
        return
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if not driver.is_in_transaction():
        # The adapter opens PostgreSQL's transaction lazily, at the first statement: a COPY sent
        # before one would commit on its own, outside the caller's unit of work.
        await connection.exec_driver_sql("SELECT 1")
    if not tenant_table:
        await driver.copy_records_to_table(table, records=records, columns=list(columns))
        return
    names = ", ".join(columns)
    stage = f"copy_stage_{table}"
    await connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS SELECT {names} FROM {table} WITH NO DATA"
    )
    await connection.exec_driver_sql(f"DELETE FROM {stage}")  # a second copy in the same transaction
    await driver.copy_records_to_table(stage, records=records, columns=list(columns))
    await connection.exec_driver_sql(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage}")


def unnest_rows(
    table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> tuple[str, dict[str, list[Any]]]:
    """`SELECT <columns> FROM unnest(<one array per column>)` over many rows (dicts) of `table`'s
    columns, and its parameters. A multi-row VALUES statement makes SQLAlchemy compile a bind parameter per cell (~0.5 s for 1,000 rows of 14 columns) and PostgreSQL
    plan a new statement for every batch size; this one is compiled and prepared once. JSON(B) values
    are given as Python objects."""
    dialect = postgresql.dialect()
    arrays, selected, params = [], [], {}
    for i, name in enumerate(columns):
        column_type = table.c[name].type
        is_json = isinstance(column_type, sa_types.JSON)
        sql_type = "text" if is_json else column_type.compile(dialect=dialect)
        values = (
            [row[name] for row in rows] if rows and isinstance(rows[0], Mapping) else [row[i] for row in rows]
        )
        params[f"c{i}"] = [None if v is None else to_json(v).decode() for v in values] if is_json else values
        arrays.append(f"CAST(:c{i} AS {sql_type}[])")
        selected.append(f"CAST(u.c{i} AS jsonb) AS {name}" if is_json else f"u.c{i} AS {name}")
    names = ", ".join(f"c{i}" for i in range(len(columns)))
    return f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) AS u({names})", params


async def upsert_rows(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    *,
    newer: str | None = None,
) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE of many rows (dicts with the same columns) as one
    statement over unnest_rows. `newer`: SQL that must hold for a conflicting row to be replaced
    (`excluded.version >= <table>.version`)."""
    if not rows:
        return
    columns = list(rows[0])
    select_rows, params = unnest_rows(table, columns, rows)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) {select_rows}"
        f" ON CONFLICT ({', '.join(keys)}) "
        + (f"DO UPDATE SET {updates}" + (f" WHERE {newer}" if newer else "") if updates else "DO NOTHING")
    )
    await session.execute(text(statement), params)


_PLAIN_KEY = re.compile(r"^[0-9A-Za-z_-]+$")


def key_list(values: Sequence[str], name: str = "nip") -> TableValuedAlias:
    """A list of keys as a table to join with (`unnest`). A join stays linear whatever the planner
    guesses, where `column = ANY(:list)` may become a filter that compares every row with the whole
    list: 20,000 x 20,000 string comparisons for an upload checked against a replica filled a moment
    ago and not yet analyzed.

    Plain keys are written into the statement as a constant array, so that the planner knows how
    many there are: as a bound parameter, a statement repeated on one connection (the wait for a
    replica polls) gets PostgreSQL's generic plan, which guesses 100 keys and, with a replica that
    was nearly empty when planned, loops over the whole list for every row (20 s for 20,000 NIPs
    under row-level security, whose filter makes the table's guess 1 row)."""
    return func.unnest(_key_array(values)).table_valued(name).render_derived(name=f"{name}_list")


def _key_array(keys: Sequence[str]) -> ColumnElement[Any]:
    """Keys as a constant array in the statement when they are plain words; bound otherwise."""
    keys = list(keys)
    if all(_PLAIN_KEY.match(k) for k in keys):
        return literal_column("'{" + ",".join(keys) + "}'::varchar[]")
    return literal(keys, ARRAY(String))


def any_of(column: ColumnElement[Any], keys: Sequence[str]) -> ColumnElement[bool]:
    """`column = ANY('{k1,k2,...}')` with the list written into the statement as a constant, which
    PostgreSQL checks with a hash table (a bound list is searched linearly for every row: with a
    plan chosen on stale statistics, 1,000 keys against 20,000 rows is 20 million comparisons).
    Keys that are not plain words are bound instead."""
    return column == any_(_key_array(keys))
