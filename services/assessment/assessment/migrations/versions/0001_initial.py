"""employees replica, performance ratings, assessment results, outbox, inbox, known tenants

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
        "employees",
        sa.Column("tenant_id", sa.String(100), primary_key=True),
        sa.Column("nip", sa.String(18), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "performance_ratings",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("predikat", sa.String(20), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("tenant_id", "nip", "year", name="uq_performance_ratings_tenant_nip_year"),
    )
    op.create_table(
        "assessment_results",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.String(100), nullable=False),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("potential_score", sa.Float(), nullable=False),
        sa.Column("jpm", sa.Float()),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_assessment_results_tenant_id", "assessment_results", ["tenant_id"])
    create_infrastructure_tables(op)


def downgrade() -> None:
    drop_infrastructure_tables(op)
    for table in ("assessment_results", "performance_ratings", "employees"):
        op.drop_table(table)
