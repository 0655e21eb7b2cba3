"""the tenant policy reads the scope once per statement (sub-selects), not once per row

Revision ID: 0006
Revises: 0005
"""

from alembic import op
from bakat_common.migrations import TENANT_VISIBLE, TENANT_VISIBLE_PER_ROW, rewrite_tenant_policies

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rewrite_tenant_policies(op, TENANT_VISIBLE)


def downgrade() -> None:
    rewrite_tenant_policies(op, TENANT_VISIBLE_PER_ROW)
