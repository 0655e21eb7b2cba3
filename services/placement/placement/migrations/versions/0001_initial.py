"""employees replica, inputs, placements, outbox, inbox, known tenants

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from bakat_common.infrastructure import create_infrastructure_tables, drop_infrastructure_tables
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _keys() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", sa.String(100), primary_key=True),
        sa.Column("nip", sa.String(18), primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "employees",
        *_keys(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit_code", sa.String(50)),
        sa.Column("unit_path", sa.Text()),
        sa.Column("position_code", sa.String(50)),
        sa.Column("position_title", sa.Text()),
        sa.Column("tier", sa.String(20)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "performance_inputs",
        *_keys(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("predikat", sa.String(20), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "potential_inputs",
        *_keys(),
        sa.Column("assessment_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("potential_score", sa.Float(), nullable=False),
        sa.Column("jpm", sa.Float()),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
    )
    op.create_table(
        "placements",
        *_keys(),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("box", sa.Integer(), nullable=False),
        sa.Column("potential_level", sa.String(6), nullable=False),
        sa.Column("performance_level", sa.String(5), nullable=False),
        sa.Column("potential_score", sa.Float(), nullable=False),
        sa.Column("predikat", sa.String(20), nullable=False),
        sa.Column("skp_year", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.String(64), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("reasons", JSONB(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("id", name="uq_placements_id"),
    )
    op.create_index("ix_placements_box", "placements", ["box"])
    create_infrastructure_tables(op)


def downgrade() -> None:
    drop_infrastructure_tables(op)
    for table in ("placements", "potential_inputs", "performance_inputs", "employees"):
        op.drop_table(table)
