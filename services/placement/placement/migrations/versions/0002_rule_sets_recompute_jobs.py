"""tenant rule-set versions and recompute jobs

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recompute_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recompute_jobs")),
    )
    op.create_index(op.f("ix_recompute_jobs_tenant_id"), "recompute_jobs", ["tenant_id"], unique=False)
    op.create_table(
        "rule_sets",
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("potential_high", sa.Float(), nullable=False),
        sa.Column("potential_middle", sa.Float(), nullable=False),
        sa.Column("predikat_levels", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "version", name=op.f("pk_rule_sets")),
    )


def downgrade() -> None:
    op.drop_table("rule_sets")
    op.drop_index(op.f("ix_recompute_jobs_tenant_id"), table_name="recompute_jobs")
    op.drop_table("recompute_jobs")
