"""the tenant policy reads the scope once per statement (sub-selects), not once per row

Revision ID: 0005
Revises: 0004
"""

from alembic import op
from bakat_common.migrations import TENANT_VISIBLE, TENANT_VISIBLE_PER_ROW, rewrite_tenant_policies

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rewrite_tenant_policies(op, TENANT_VISIBLE)


def downgrade() -> None:
    rewrite_tenant_policies(op, TENANT_VISIBLE_PER_ROW)
