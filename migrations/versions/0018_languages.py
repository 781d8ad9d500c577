"""languages: the language a customer reads (for pages and every message) and the languages officers speak

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 19:40:00

customer.locale is one of app.i18n.LANGUAGES ('en', 'pl', 'ne'); officer.languages is a comma-separated
list of language names (e.g. 'Polish, Russian') that an interpreter request is matched against.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no table copy on SQLite), so the officer table keeps its roster triggers (0014).
    op.add_column('customer', sa.Column('locale', sa.String(length=10), nullable=False, server_default='en'))
    op.add_column('officer', sa.Column('languages', sa.String(length=200), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('officer') as batch_op:
        batch_op.drop_column('languages')
    with op.batch_alter_table('customer') as batch_op:
        batch_op.drop_column('locale')
