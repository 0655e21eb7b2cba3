"""calibration sessions and moves

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calibration_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.Text(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_sessions")),
    )
    op.create_index(
        "ix_calibration_sessions_tenant_status",
        "calibration_sessions",
        ["tenant_id", "status", "created_at"],
        unique=False,
    )
    op.create_table(
        "calibration_moves",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("from_box", sa.Integer(), nullable=False),
        sa.Column("to_box", sa.Integer(), nullable=False),
        sa.Column("computed_box", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("assessment_id", sa.String(length=64), nullable=False),
        sa.Column("assessment_version", sa.Integer(), nullable=False),
        sa.Column("skp_year", sa.Integer(), nullable=False),
        sa.Column("predikat", sa.String(length=20), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.Text(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["calibration_sessions.id"],
            name=op.f("fk_calibration_moves_session_id_calibration_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_moves")),
        sa.UniqueConstraint("session_id", "nip", name="uq_calibration_moves_session_nip"),
    )
    op.create_index("ix_calibration_moves_employee", "calibration_moves", ["tenant_id", "nip"], unique=False)
    op.create_table(
        "calibration_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["calibration_sessions.id"],
            name=op.f("fk_calibration_audit_session_id_calibration_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_audit")),
    )
    op.create_index(
        "ix_calibration_audit_session", "calibration_audit", ["tenant_id", "session_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_calibration_audit_session", table_name="calibration_audit")
    op.drop_table("calibration_audit")
    op.drop_index("ix_calibration_moves_employee", table_name="calibration_moves")
    op.drop_table("calibration_moves")
    op.drop_index("ix_calibration_sessions_tenant_status", table_name="calibration_sessions")
    op.drop_table("calibration_sessions")
