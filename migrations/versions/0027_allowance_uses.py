"""allowance uses: each online booking, waiting-list join and resident's contact change counted against
the phone number, email address or door it messages (app.booking.customers), so that a record's contact
changed afterwards neither frees nor escapes an allowance (attack of 2 December, afternoon)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 14:00:00

Counting starts with this migration: online bookings of the last day before it are not counted again.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "allowance_use",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_allowance_use_key_at", "allowance_use", ["key_hash", "at"])


def downgrade():
    op.drop_index("ix_allowance_use_key_at", table_name="allowance_use")
    op.drop_table("allowance_use")
