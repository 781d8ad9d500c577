"""business premises and exact times: a business customer's own name, type and premises address,
apart from home; and services that let a resident ask for an exact time for a home visit

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 19:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

COLUMNS = (
    ('business_type', sa.String(length=60)),
    ('premises_line1', sa.String(length=200)),
    ('premises_line2', sa.String(length=200)),
    ('premises_town', sa.String(length=80)),
    ('premises_postcode', sa.String(length=10)),
    ('premises_uprn', sa.String(length=20)),
)


def upgrade():
    with op.batch_alter_table('customer') as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=''))
        batch.add_column(sa.Column('premises_lat', sa.Float(), nullable=True))
        batch.add_column(sa.Column('premises_lng', sa.Float(), nullable=True))
    with op.batch_alter_table('service') as batch:
        batch.add_column(sa.Column('exact_times', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('service') as batch:
        batch.drop_column('exact_times')
    with op.batch_alter_table('customer') as batch:
        for name in ('premises_lng', 'premises_lat'):
            batch.drop_column(name)
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
