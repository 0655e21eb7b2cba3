"""placement history (a row per change)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "placement_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("box", sa.Integer(), nullable=False),
        sa.Column("potential_score", sa.Float(), nullable=False),
        sa.Column("predikat", sa.String(length=20), nullable=False),
        sa.Column("skp_year", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.String(length=64), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_history")),
    )
    op.create_index(
        "ix_placement_history_employee",
        "placement_history",
        ["tenant_id", "nip", "computed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_placement_history_employee", table_name="placement_history")
    op.drop_table("placement_history")
