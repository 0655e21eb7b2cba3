"""tenants, OPD units, positions, employees with history and track records, import jobs

Revision ID: 0001
Revises:
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from bakat_common.infrastructure import create_infrastructure_tables, drop_infrastructure_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["tenants.id"], name=op.f("fk_tenants_parent_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
    )
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("errors", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_import_jobs_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )
    op.create_index(op.f("ix_import_jobs_tenant_id"), "import_jobs", ["tenant_id"], unique=False)
    op.create_table(
        "units",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["units.id"], name=op.f("fk_units_parent_id_units")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_units_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("tenant_id", "code", name="uq_units_tenant_code"),
    )
    op.create_index(
        "ix_units_tenant_path",
        "units",
        ["tenant_id", "path"],
        unique=False,
        postgresql_ops={"path": "text_pattern_ops"},
    )
    op.create_table(
        "positions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("functional_level", sa.String(length=20), nullable=True),
        sa.Column("eselon", sa.String(length=5), nullable=True),
        sa.Column("job_family", sa.Text(), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("requirements", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("technical_requirements", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_positions_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_positions_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
        sa.UniqueConstraint("tenant_id", "code", name="uq_positions_tenant_code"),
    )
    op.create_index(op.f("ix_positions_unit_id"), "positions", ["unit_id"], unique=False)
    op.create_table(
        "employees",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("front_title", sa.String(length=50), nullable=True),
        sa.Column("back_title", sa.String(length=80), nullable=True),
        sa.Column("gender", sa.String(length=6), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("tmt", sa.Date(), nullable=False),
        sa.Column("employment_type", sa.String(length=4), nullable=False),
        sa.Column("golongan", sa.String(length=6), nullable=True),
        sa.Column("education_level", sa.String(length=3), nullable=True),
        sa.Column("education_major", sa.Text(), nullable=True),
        sa.Column("education_institution", sa.Text(), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("position_id", sa.Uuid(), nullable=True),
        sa.Column("position_title", sa.Text(), nullable=True),
        sa.Column("tier", sa.String(length=20), nullable=True),
        sa.Column("functional_level", sa.String(length=20), nullable=True),
        sa.Column("eselon", sa.String(length=5), nullable=True),
        sa.Column("tmt_position", sa.Date(), nullable=True),
        sa.Column("career_preference", sa.Text(), nullable=True),
        sa.Column("leadership_experience", sa.Text(), nullable=True),
        sa.Column("bup", sa.Integer(), nullable=False),
        sa.Column("retirement_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["position_id"], ["positions.id"], name=op.f("fk_employees_position_id_positions")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_employees_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_employees_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employees")),
        sa.UniqueConstraint("tenant_id", "nip", name="uq_employees_tenant_nip"),
    )
    op.create_index("ix_employees_tenant_name", "employees", ["tenant_id", "name"], unique=False)
    op.create_index("ix_employees_tenant_unit", "employees", ["tenant_id", "unit_id", "nip"], unique=False)
    op.create_index(
        "uq_employees_active_position",
        "employees",
        ["position_id"],
        unique=True,
        postgresql_where=sa.text("status = 'active' AND position_id IS NOT NULL"),
    )
    op.create_table(
        "employee_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_employee_history_employee_id_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee_history")),
    )
    op.create_index(
        op.f("ix_employee_history_employee_id"), "employee_history", ["employee_id"], unique=False
    )
    op.create_table(
        "track_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_track_records_employee_id_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_track_records")),
    )
    op.create_index(op.f("ix_track_records_employee_id"), "track_records", ["employee_id"], unique=False)
    create_infrastructure_tables(op, with_known_tenants=False)


def downgrade() -> None:
    drop_infrastructure_tables(op)
    op.drop_index(op.f("ix_track_records_employee_id"), table_name="track_records")
    op.drop_table("track_records")
    op.drop_index(op.f("ix_employee_history_employee_id"), table_name="employee_history")
    op.drop_table("employee_history")
    op.drop_index(
        "uq_employees_active_position",
        table_name="employees",
        postgresql_where=sa.text("status = 'active' AND position_id IS NOT NULL"),
    )
    op.drop_index("ix_employees_tenant_unit", table_name="employees")
    op.drop_index("ix_employees_tenant_name", table_name="employees")
    op.drop_table("employees")
    op.drop_index(op.f("ix_positions_unit_id"), table_name="positions")
    op.drop_table("positions")
    op.drop_index("ix_units_tenant_path", table_name="units", postgresql_ops={"path": "text_pattern_ops"})
    op.drop_table("units")
    op.drop_index(op.f("ix_import_jobs_tenant_id"), table_name="import_jobs")
    op.drop_table("import_jobs")
    op.drop_table("tenants")
