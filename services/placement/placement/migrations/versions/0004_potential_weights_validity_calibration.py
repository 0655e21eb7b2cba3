"""potential weights, result validity and pool boxes in rule sets; result parts; calibrated box

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("placement_history", sa.Column("computed_box", sa.Integer(), nullable=True))
    op.add_column("placement_history", sa.Column("calibration_id", sa.Uuid(), nullable=True))
    # Existing placements were all computed by the rules: their box is the computed one.
    op.add_column("placements", sa.Column("computed_box", sa.Integer(), nullable=True))
    op.execute("UPDATE placements SET computed_box = box")
    op.alter_column("placements", "computed_box", nullable=False)
    op.add_column("placements", sa.Column("calibration_id", sa.Uuid(), nullable=True))
    op.add_column(
        "placements", sa.Column("assessment_version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("placements", sa.Column("jpm", sa.Float(), nullable=True))
    op.add_column("placements", sa.Column("valid_until", sa.Date(), nullable=True))
    op.add_column("potential_inputs", sa.Column("aspects_score", sa.Float(), nullable=True))
    op.add_column("potential_inputs", sa.Column("track_record_score", sa.Float(), nullable=True))
    op.add_column("potential_inputs", sa.Column("campaign_id", sa.String(length=64), nullable=True))
    op.add_column(
        "potential_inputs",
        sa.Column("scores", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column(
        "potential_inputs",
        sa.Column("gaps", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column(
        "potential_inputs",
        sa.Column(
            "development", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
    )
    op.add_column(
        "rule_sets",
        sa.Column(
            "potential_weights",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default='{"jpm": 50, "aspects": 50, "track_record": 0}',
            nullable=False,
        ),
    )
    op.add_column("rule_sets", sa.Column("validity_years", sa.Integer(), server_default="3", nullable=False))
    op.add_column(
        "rule_sets",
        sa.Column(
            "talent_pool_boxes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[7, 8, 9]",
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("rule_sets", "talent_pool_boxes")
    op.drop_column("rule_sets", "validity_years")
    op.drop_column("rule_sets", "potential_weights")
    op.drop_column("potential_inputs", "development")
    op.drop_column("potential_inputs", "gaps")
    op.drop_column("potential_inputs", "scores")
    op.drop_column("potential_inputs", "campaign_id")
    op.drop_column("potential_inputs", "track_record_score")
    op.drop_column("potential_inputs", "aspects_score")
    op.drop_column("placements", "valid_until")
    op.drop_column("placements", "jpm")
    op.drop_column("placements", "assessment_version")
    op.drop_column("placements", "calibration_id")
    op.drop_column("placements", "computed_box")
    op.drop_column("placement_history", "calibration_id")
    op.drop_column("placement_history", "computed_box")
