"""second officer index: an officer's visits on a day are found by index whether they are the first or
the second officer

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 22:20:00

Availability and a booking's re-check read "this officer's visits that day": officer_id = x OR
second_officer_id = x, with the day's bounds. ix_appointment_officer_window serves the first arm only,
so PostgreSQL scanned every active visit (the status index, or the table) and filtered them: 0.20 ms
for 616 visits, growing with the table, against 0.06 ms with this index beside it (two index scans,
OR-ed). Partial: only pairs have a second officer.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_appointment_second_officer_window",
        "appointment",
        ["second_officer_id", "window_start"],
        unique=False,
        postgresql_where=sa.text("second_officer_id IS NOT NULL"),
        sqlite_where=sa.text("second_officer_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_appointment_second_officer_window", table_name="appointment")
