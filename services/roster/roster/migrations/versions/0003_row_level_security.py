"""row-level security on every tenant table (the second wall: a query that forgets its tenant
filter sees only the rows of the tenant in scope)

Revision ID: 0003
Revises: 0002
"""

from alembic import op
from bakat_common.migrations import disable_tenant_isolation, enable_tenant_isolation

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Every table with a tenant_id. (tenants, the tenant registry, is not a tenant's data.)
TENANT_TABLES = (
    "employee_history",
    "employees",
    "import_jobs",
    "positions",
    "track_records",
    "units",
)


def upgrade() -> None:
    enable_tenant_isolation(op, TENANT_TABLES)


def downgrade() -> None:
    disable_tenant_isolation(op, TENANT_TABLES)
