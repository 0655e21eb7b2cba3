"""venues, rooms, outbox, inbox, known tenants

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from bakat_common.infrastructure import create_infrastructure_tables, drop_infrastructure_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "venues",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("tenant_id", "name", name="uq_venues_tenant_name"),
    )
    op.create_index("ix_venues_tenant_id", "venues", ["tenant_id"])
    op.create_table(
        "rooms",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "venue_id",
            sa.Uuid(),
            sa.ForeignKey("venues.id", ondelete="CASCADE", name="fk_rooms_venue_id_venues"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("room_type", sa.String(20), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.UniqueConstraint("venue_id", "name", name="uq_rooms_venue_name"),
    )
    op.create_index("ix_rooms_venue_id", "rooms", ["venue_id"])
    create_infrastructure_tables(op)


def downgrade() -> None:
    drop_infrastructure_tables(op)
    op.drop_table("rooms")
    op.drop_table("venues")
