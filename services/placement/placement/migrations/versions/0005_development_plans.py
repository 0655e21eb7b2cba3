"""development plans: programmes and plan items

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "development_programmes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("boxes", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("unit_code", sa.String(length=50), nullable=True),
        sa.Column("tier", sa.String(length=20), nullable=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("schedule_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_programmes")),
        sa.UniqueConstraint("tenant_id", "code", name="uq_development_programmes_code"),
    )
    op.create_table(
        "development_plan_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("suggestion_key", sa.String(length=200), nullable=True),
        sa.Column("cycle", sa.String(length=200), nullable=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("schedule_note", sa.Text(), nullable=True),
        sa.Column("programme_id", sa.Uuid(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["development_programmes.id"],
            name=op.f("fk_development_plan_items_programme_id_development_programmes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_plan_items")),
        sa.UniqueConstraint(
            "tenant_id", "nip", "suggestion_key", "cycle", name="uq_development_plan_items_suggestion"
        ),
        sa.UniqueConstraint("tenant_id", "programme_id", "nip", name="uq_development_plan_items_programme"),
    )
    op.create_index(
        "ix_development_plan_items_employee",
        "development_plan_items",
        ["tenant_id", "nip", "id"],
        unique=False,
    )
    op.create_index(
        "ix_development_plan_items_status",
        "development_plan_items",
        ["tenant_id", "status", "kind"],
        unique=False,
    )
    op.create_index(
        "ix_development_plan_items_owner", "development_plan_items", ["tenant_id", "owner"], unique=False
    )
    op.create_index(
        "ix_development_plan_items_due", "development_plan_items", ["tenant_id", "due_date"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_development_plan_items_due", table_name="development_plan_items")
    op.drop_index("ix_development_plan_items_owner", table_name="development_plan_items")
    op.drop_index("ix_development_plan_items_status", table_name="development_plan_items")
    op.drop_index("ix_development_plan_items_employee", table_name="development_plan_items")
    op.drop_table("development_plan_items")
    op.drop_table("development_programmes")
