"""row-level security on every tenant table (the second wall: a query that forgets its tenant
filter sees only the rows of the tenant in scope)

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from bakat_common.migrations import disable_tenant_isolation, enable_tenant_isolation

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Every table with a tenant_id but known_tenants and the bookings: assessor_bookings and
# room_bookings are the province-wide rule that one assessor (or room) serves one schedule a day, read
# across tenants by every solve; they hold ids and days only.
TENANT_TABLES = (
    "assessors",
    "employees",
    "rooms",
    "scheduled_sessions",
    "schedules",
    "venues",
)


def upgrade() -> None:
    enable_tenant_isolation(op, TENANT_TABLES)


def downgrade() -> None:
    disable_tenant_isolation(op, TENANT_TABLES)
