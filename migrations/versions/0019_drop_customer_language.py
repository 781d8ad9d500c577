"""drop customer.language: written as "English" on every record and never read; the language a customer
reads is customer.locale (0018), the one place for it

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 22:40:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customer') as batch_op:
        batch_op.drop_column('language')


def downgrade():
    with op.batch_alter_table('customer') as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=60), nullable=False, server_default='English')
        )
