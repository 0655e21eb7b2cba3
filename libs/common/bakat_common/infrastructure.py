"""Tables every service database has: outbox, inbox, and (outside roster) the known-tenants replica.

Defined once here with SQLAlchemy Core so each service's first Alembic migration creates them with
`create_infrastructure_tables(op)` and the runtime code queries the same definitions.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    event,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("key", Text, nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("tenant", String(100), nullable=False),
    Column("envelope", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", Text),
    # The relay only ever scans unsent rows; keep that index small.
    Index("ix_outbox_pending", "id", postgresql_where=text("sent_at IS NULL")),
)

OUTBOX_NOTIFY_CHANNEL = "bakat_outbox"

# The relay LISTENs on this channel. A statement trigger sends the NOTIFY, so writers need no extra
# round trip; PostgreSQL delivers it only when the writing transaction commits.
event.listen(
    outbox,
    "after_create",
    DDL(
        f"""CREATE OR REPLACE FUNCTION bakat_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('{OUTBOX_NOTIFY_CHANNEL}', ''); RETURN NULL; END $$"""
    ),
)
event.listen(
    outbox,
    "after_create",
    DDL("CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION bakat_outbox_notify()"),
)
event.listen(outbox, "before_drop", DDL("DROP FUNCTION IF EXISTS bakat_outbox_notify() CASCADE"))

inbox = Table(
    "inbox",
    metadata,
    Column("event_id", String(64), nullable=False),
    Column("consumer", String(100), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("event_id", "consumer", name="pk_inbox"),
)

known_tenants = Table(
    "known_tenants",
    metadata,
    Column("tenant_id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent_id", String(100)),
)


def infrastructure_tables(with_known_tenants: bool = True) -> list[Table]:
    return [outbox, inbox] + ([known_tenants] if with_known_tenants else [])


def infrastructure_metadata(with_known_tenants: bool = True) -> MetaData:
    """The infrastructure tables a service has, for Alembic's comparison with its database."""
    subset = MetaData()
    for table in infrastructure_tables(with_known_tenants):
        table.to_metadata(subset)
    return subset


def create_infrastructure_tables(op, *, with_known_tenants: bool = True) -> None:
    """Call from a service's first migration."""
    metadata.create_all(op.get_bind(), tables=infrastructure_tables(with_known_tenants))


def drop_infrastructure_tables(op) -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[t for t in (known_tenants, inbox, outbox)])
