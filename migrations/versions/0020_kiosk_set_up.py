"""kiosk set up: kiosk_device.last_seen_at now records when its activation link was opened (None: not set
up yet, so the admin list no longer calls a kiosk nobody has signed in "In use")

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 22:45:00

No schema change: kiosks activated before this release get the time of their last activation from the
audit log, so they keep showing as in use.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE kiosk_device SET last_seen_at = ("
        " SELECT MAX(audit_event.at) FROM audit_event"
        " WHERE audit_event.action = 'kiosk_activated' AND audit_event.object_type = 'kiosk'"
        " AND audit_event.object_id = CAST(kiosk_device.id AS VARCHAR(40))"
        ") WHERE last_seen_at IS NULL"
    )


def downgrade():
    pass  # the column stays; its old meaning (unused) needs nothing back
