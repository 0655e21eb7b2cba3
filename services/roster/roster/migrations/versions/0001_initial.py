"""tenants, employees, outbox, inbox

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
        "tenants",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.String(100), sa.ForeignKey("tenants.id", name="fk_tenants_parent_id_tenants")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "employees",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "tenant_id", sa.String(100), sa.ForeignKey("tenants.id", name="fk_employees_tenant_id_tenants"), nullable=False
        ),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("gender", sa.String(6), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("tmt", sa.Date(), nullable=False),
        sa.Column("employment_type", sa.String(4), nullable=False),
        sa.Column("unit", sa.Text()),
        sa.Column("position_title", sa.Text()),
        sa.Column("tier", sa.String(40)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("tenant_id", "nip", name="uq_employees_tenant_nip"),
    )
    op.create_index("ix_employees_tenant_id", "employees", ["tenant_id"])
    create_infrastructure_tables(op, with_known_tenants=False)


def downgrade() -> None:
    drop_infrastructure_tables(op)
    op.drop_table("employees")
    op.drop_table("tenants")
