"""placements carry the employee fields the views filter by (name, unit, tier, status) and pool membership; no surrogate id

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nothing refers to a placement by a surrogate id (its key is tenant and NIP); its unique index
    # only cost every bulk write.
    op.drop_constraint("uq_placements_id", "placements", type_="unique")
    op.drop_column("placements", "id")
    op.add_column("placements", sa.Column("name", sa.Text(), nullable=True))
    op.add_column("placements", sa.Column("unit_code", sa.String(length=50), nullable=True))
    op.add_column("placements", sa.Column("unit_path", sa.Text(), nullable=True))
    op.add_column("placements", sa.Column("tier", sa.String(length=20), nullable=True))
    op.add_column("placements", sa.Column("employee_status", sa.String(length=10), nullable=True))
    op.add_column(
        "placements", sa.Column("in_talent_pool", sa.Boolean(), server_default="false", nullable=False)
    )
    op.execute(
        "UPDATE placements p SET in_talent_pool = p.box IN (SELECT jsonb_array_elements_text(r.talent_pool_boxes)::int"
        " FROM rule_sets r WHERE r.tenant_id = p.tenant_id AND r.version = p.rule_version)"
        " OR (p.box IN (7, 8, 9) AND NOT EXISTS (SELECT 1 FROM rule_sets r WHERE r.tenant_id = p.tenant_id"
        " AND r.version = p.rule_version))"
    )
    op.execute(
        "UPDATE placements p SET name = e.name, unit_code = e.unit_code, unit_path = e.unit_path, tier = e.tier,"
        " employee_status = e.status FROM employees e WHERE e.tenant_id = p.tenant_id AND e.nip = p.nip"
    )
    op.create_index(
        "ix_placements_unit_path",
        "placements",
        ["tenant_id", "unit_path"],
        unique=False,
        postgresql_ops={"unit_path": "text_pattern_ops"},
        postgresql_include=["box", "employee_status", "tier"],
    )
    op.create_index("ix_placements_box_name", "placements", ["tenant_id", "box", "name", "nip"], unique=False)
    op.drop_index("ix_placements_box", table_name="placements")  # the (tenant, box, name, nip) index serves
    op.execute("ALTER TABLE placements SET (fillfactor = 80)")


def downgrade() -> None:
    op.add_column(
        "placements", sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False)
    )
    op.create_unique_constraint("uq_placements_id", "placements", ["id"])
    op.execute("ALTER TABLE placements RESET (fillfactor)")
    op.create_index("ix_placements_box", "placements", ["box"], unique=False)
    op.drop_index("ix_placements_box_name", table_name="placements")
    op.drop_index(
        "ix_placements_unit_path", table_name="placements", postgresql_ops={"unit_path": "text_pattern_ops"}
    )
    for column in ("in_talent_pool", "employee_status", "tier", "unit_path", "unit_code", "name"):
        op.drop_column("placements", column)
