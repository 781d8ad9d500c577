"""planner: call list entries closed automatically, their cause gone (the visit re-assigned to an
officer who may do it, the officer able to do it again, ...): a flag so the page says Doorstep closed
it, not a person

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 19:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no table rebuild on SQLite).
    op.add_column(
        "call_list_entry",
        sa.Column("closed_automatically", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    with op.batch_alter_table("call_list_entry") as batch:
        batch.drop_column("closed_automatically")
