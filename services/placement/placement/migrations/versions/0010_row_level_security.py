"""row-level security on every tenant table (the second wall: a query that forgets its tenant
filter sees only the rows of the tenant in scope)

Revision ID: 0010
Revises: 0009
"""

from alembic import op
from bakat_common.migrations import disable_tenant_isolation, enable_tenant_isolation

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Every table with a tenant_id but known_tenants (the tenant registry's copy).
TENANT_TABLES = (
    "audit_log",
    "calibration_audit",
    "calibration_moves",
    "calibration_sessions",
    "development_plan_items",
    "development_programmes",
    "employees",
    "performance_inputs",
    "placement_history",
    "placements",
    "positions",
    "potential_inputs",
    "recompute_jobs",
    "rule_sets",
    "succession_settings",
)


def upgrade() -> None:
    enable_tenant_isolation(op, TENANT_TABLES)


def downgrade() -> None:
    disable_tenant_isolation(op, TENANT_TABLES)
