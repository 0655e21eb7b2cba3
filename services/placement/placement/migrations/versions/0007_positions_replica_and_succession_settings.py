"""positions replica and succession settings

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "positions",
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("eselon", sa.String(length=10), nullable=True),
        sa.Column("functional_level", sa.String(length=50), nullable=True),
        sa.Column("unit_code", sa.String(length=50), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=True),
        sa.Column(
            "requirements", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "technical_requirements",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("defined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holder_nip", sa.String(length=18), nullable=True),
        sa.Column("previous_holder_nip", sa.String(length=18), nullable=True),
        sa.Column("vacant", sa.Boolean(), nullable=False),
        sa.Column("vacant_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holder_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "code", name=op.f("pk_positions")),
    )
    op.create_index("ix_positions_vacant", "positions", ["tenant_id", "vacant"], unique=False)
    op.create_table(
        "succession_settings",
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("candidate_source", sa.String(length=10), nullable=False),
        sa.Column("key_tiers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("merit_index", sa.Float(), nullable=True),
        sa.Column("merit_threshold", sa.Float(), nullable=False),
        sa.Column("readiness", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "version", name=op.f("pk_succession_settings")),
    )


def downgrade() -> None:
    op.drop_table("succession_settings")
    op.drop_index("ix_positions_vacant", table_name="positions")
    op.drop_table("positions")
