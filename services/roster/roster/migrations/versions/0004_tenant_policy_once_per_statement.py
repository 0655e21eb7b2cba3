"""the tenant policy reads the scope once per statement (sub-selects), not once per row

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from bakat_common.migrations import TENANT_VISIBLE, TENANT_VISIBLE_PER_ROW, rewrite_tenant_policies

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rewrite_tenant_policies(op, TENANT_VISIBLE)


def downgrade() -> None:
    rewrite_tenant_policies(op, TENANT_VISIBLE_PER_ROW)
