"""campaigns, instruments, the assessment workflow (ratings, integration, versions), development rules,
positions replica, SKP history; results recorded before this move into assessments

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
        "campaigns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("instruments", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("exercises", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("include_technical", sa.Boolean(), nullable=False),
        sa.Column("validity_years", sa.Integer(), nullable=False),
        sa.Column("selection", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("potential_weights", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("ratio_assessors", sa.Integer(), nullable=False),
        sa.Column("ratio_participants", sa.Integer(), nullable=False),
        sa.Column("group_min", sa.Integer(), nullable=False),
        sa.Column("group_max", sa.Integer(), nullable=False),
        sa.Column("observers_per_participant", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_tenant_id"), "campaigns", ["tenant_id"], unique=False)
    op.create_table(
        "development_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("instrument_code", sa.String(length=100), nullable=False),
        sa.Column("below_level", sa.Integer(), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_rules")),
        sa.UniqueConstraint("tenant_id", "instrument_code", name="uq_development_rules_instrument"),
    )
    op.create_table(
        "instruments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instruments")),
        sa.UniqueConstraint("tenant_id", "code", name="uq_instruments_tenant_code"),
    )
    op.create_table(
        "performance_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("predikat", sa.String(length=20), nullable=False),
        sa.Column("hasil_kerja", sa.String(length=20), nullable=True),
        sa.Column("perilaku_kerja", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_history")),
    )
    op.create_index(
        "ix_performance_history_tenant_nip", "performance_history", ["tenant_id", "nip", "year"], unique=False
    )
    op.create_table(
        "positions",
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("unit_code", sa.String(length=50), nullable=False),
        sa.Column("requirements", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("technical_requirements", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "code", name=op.f("pk_positions")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("position_code", sa.String(length=50), nullable=True),
        sa.Column("lead_assessor", sa.Text(), nullable=True),
        sa.Column("session_id", sa.String(length=100), nullable=True),
        sa.Column("scheduled_day", sa.Date(), nullable=True),
        sa.Column("potential_score", sa.Float(), nullable=True),
        sa.Column("jpm", sa.Float(), nullable=True),
        sa.Column("jpm_category", sa.String(length=20), nullable=True),
        sa.Column("scores", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("gaps", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recommendations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_assessments_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index("ix_assessments_tenant_nip", "assessments", ["tenant_id", "nip"], unique=False)
    op.create_index(
        "uq_assessments_campaign_nip",
        "assessments",
        ["campaign_id", "nip"],
        unique=True,
        postgresql_where=sa.text("campaign_id IS NOT NULL"),
    )
    op.create_table(
        "assessment_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_versions_assessment_id_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_versions")),
        sa.UniqueConstraint("assessment_id", "version", name="uq_assessment_versions_version"),
    )
    op.create_index(
        op.f("ix_assessment_versions_assessment_id"), "assessment_versions", ["assessment_id"], unique=False
    )
    op.create_table(
        "assessor_assignments",
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("assessor", sa.Text(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessor_assignments_assessment_id_assessments"),
        ),
        sa.PrimaryKeyConstraint("assessment_id", "assessor", name=op.f("pk_assessor_assignments")),
    )
    op.create_table(
        "integrated_ratings",
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("instrument_code", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_integrated_ratings_assessment_id_assessments"),
        ),
        sa.PrimaryKeyConstraint("assessment_id", "instrument_code", name=op.f("pk_integrated_ratings")),
    )
    op.create_table(
        "ratings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("assessor", sa.Text(), nullable=False),
        sa.Column("instrument_code", sa.String(length=100), nullable=False),
        sa.Column("exercise", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_ratings_assessment_id_assessments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint(
            "assessment_id", "assessor", "instrument_code", "exercise", name="uq_ratings_assessor_instrument"
        ),
    )
    op.create_index(op.f("ix_ratings_assessment_id"), "ratings", ["assessment_id"], unique=False)
    # Results recorded directly before campaigns existed become completed campaign-less assessments.
    op.execute(
        """INSERT INTO assessments (id, tenant_id, nip, status, version, potential_score, jpm, scores, gaps,
               recommendations, completed_at, valid_until, created_at, updated_at)
           SELECT id, tenant_id, nip, 'completed', version, potential_score, jpm, '{}', '{}', '[]', completed_at,
               valid_until, created_at, created_at FROM assessment_results"""
    )
    op.execute(
        """INSERT INTO assessment_versions (tenant_id, assessment_id, version, result, changed_by, changed_at)
           SELECT tenant_id, id, version, jsonb_build_object('potential_score', potential_score, 'jpm', jpm,
               'valid_until', valid_until), 'migration', created_at FROM assessment_results"""
    )
    op.drop_index(op.f("ix_assessment_results_tenant_id"), table_name="assessment_results")
    op.drop_table("assessment_results")
    op.add_column("employees", sa.Column("unit_code", sa.String(length=50), nullable=True))
    op.add_column("employees", sa.Column("unit_path", sa.Text(), nullable=True))
    op.add_column("employees", sa.Column("position_code", sa.String(length=50), nullable=True))
    op.add_column("employees", sa.Column("position_title", sa.Text(), nullable=True))
    op.add_column("employees", sa.Column("tier", sa.String(length=20), nullable=True))
    op.add_column("performance_ratings", sa.Column("hasil_kerja", sa.String(length=20), nullable=True))
    op.add_column("performance_ratings", sa.Column("perilaku_kerja", sa.String(length=20), nullable=True))
    op.add_column(
        "performance_ratings", sa.Column("source", sa.String(length=12), server_default="api", nullable=False)
    )
    op.add_column(
        "performance_ratings", sa.Column("recorded_by", sa.Text(), server_default="", nullable=False)
    )
    op.execute(
        """INSERT INTO performance_history (tenant_id, nip, year, predikat, source, recorded_by, recorded_at)
           SELECT tenant_id, nip, year, predikat, 'api', '', recorded_at FROM performance_ratings"""
    )


def downgrade() -> None:
    # Structure only: results recorded through campaigns do not fit the old table and are dropped.
    op.drop_column("performance_ratings", "recorded_by")
    op.drop_column("performance_ratings", "source")
    op.drop_column("performance_ratings", "perilaku_kerja")
    op.drop_column("performance_ratings", "hasil_kerja")
    op.drop_column("employees", "tier")
    op.drop_column("employees", "position_title")
    op.drop_column("employees", "position_code")
    op.drop_column("employees", "unit_path")
    op.drop_column("employees", "unit_code")
    op.create_table(
        "assessment_results",
        sa.Column("id", sa.UUID(), autoincrement=False, nullable=False),
        sa.Column("tenant_id", sa.VARCHAR(length=100), autoincrement=False, nullable=False),
        sa.Column("nip", sa.VARCHAR(length=18), autoincrement=False, nullable=False),
        sa.Column("status", sa.VARCHAR(length=20), autoincrement=False, nullable=False),
        sa.Column("version", sa.INTEGER(), autoincrement=False, nullable=False),
        sa.Column("potential_score", sa.DOUBLE_PRECISION(precision=53), autoincrement=False, nullable=False),
        sa.Column("jpm", sa.DOUBLE_PRECISION(precision=53), autoincrement=False, nullable=True),
        sa.Column("completed_at", postgresql.TIMESTAMP(timezone=True), autoincrement=False, nullable=False),
        sa.Column("valid_until", sa.DATE(), autoincrement=False, nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            autoincrement=False,
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("assessment_results_pkey")),
    )
    op.create_index(
        op.f("ix_assessment_results_tenant_id"), "assessment_results", ["tenant_id"], unique=False
    )
    op.drop_index(op.f("ix_ratings_assessment_id"), table_name="ratings")
    op.drop_table("ratings")
    op.drop_table("integrated_ratings")
    op.drop_table("assessor_assignments")
    op.drop_index(op.f("ix_assessment_versions_assessment_id"), table_name="assessment_versions")
    op.drop_table("assessment_versions")
    op.drop_index(
        "uq_assessments_campaign_nip",
        table_name="assessments",
        postgresql_where=sa.text("campaign_id IS NOT NULL"),
    )
    op.drop_index("ix_assessments_tenant_nip", table_name="assessments")
    op.drop_table("assessments")
    op.drop_table("positions")
    op.drop_index("ix_performance_history_tenant_nip", table_name="performance_history")
    op.drop_table("performance_history")
    op.drop_table("instruments")
    op.drop_table("development_rules")
    op.drop_index(op.f("ix_campaigns_tenant_id"), table_name="campaigns")
    op.drop_table("campaigns")
