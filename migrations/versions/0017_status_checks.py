"""status checks: every status column holds one of its enum's values (app/models/statuses.py)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 20:30:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# As the enums stand at this revision (a later one that adds a status changes its check).
STATUSES = {
    'appointment': ('booked', 'checked_in', 'completed', 'no_show', 'cancelled'),
    'appointment_event': ('booked', 'checked_in', 'completed', 'no_show', 'cancelled', 'rescheduled'),
    'message': ('created', 'sending', 'sent', 'delivered', 'failed', 'technical_failure', 'cancelled'),
    'waitlist_entry': ('waiting', 'booked', 'removed'),
    'waitlist_offer': ('open', 'accepted', 'gone', 'expired'),
    'kiosk_call': ('waiting', 'connected', 'ended'),
    'replan_proposal': ('previewed', 'published'),
}


def upgrade():
    for table, values in STATUSES.items():
        allowed = ", ".join(f"'{value}'" for value in values)
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_check_constraint(op.f(f'ck_{table}_status'), f"status IN ({allowed})")


def downgrade():
    for table in reversed(STATUSES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_status'), type_='check')
