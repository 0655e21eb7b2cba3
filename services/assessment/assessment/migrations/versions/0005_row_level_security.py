"""row-level security on every tenant table (the second wall: a query that forgets its tenant
filter sees only the rows of the tenant in scope)

Revision ID: 0005
Revises: 0004
"""

from alembic import op
from bakat_common.migrations import disable_tenant_isolation, enable_tenant_isolation

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Every table with a tenant_id but known_tenants (the tenant registry's copy).
TENANT_TABLES = (
    "assessment_versions",
    "assessments",
    "audit_log",
    "campaigns",
    "development_rules",
    "employees",
    "instruments",
    "integrated_ratings",
    "performance_history",
    "performance_ratings",
    "positions",
    "ratings",
    "units",
)
CHILDREN = {
    "assessor_assignments": ("assessments", "assessment_id")
}  # no tenant_id: visible with their parent


def upgrade() -> None:
    enable_tenant_isolation(op, TENANT_TABLES, children=CHILDREN)


def downgrade() -> None:
    disable_tenant_isolation(op, TENANT_TABLES + tuple(CHILDREN))
