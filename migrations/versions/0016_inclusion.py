"""inclusion: hub closures, letters' print batches, "Tell us", equality monitoring, satisfaction by channel

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 19:30:00

"""
from alembic import op
import sqlalchemy as sa
import app.models.base  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'hub_closure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hub_id', sa.Integer(), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['hub_id'], ['hub.id'], name=op.f('fk_hub_closure_hub_id_hub'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hub_closure')),
    )
    with op.batch_alter_table('hub_closure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hub_closure_hub_id'), ['hub_id'], unique=False)

    op.create_table(
        'feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('reference', sa.String(length=12), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('name', sa.String(length=160), nullable=False),
        sa.Column('contact', sa.String(length=254), nullable=False),
        sa.Column('received_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('closed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_feedback_closed_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_open', ['closed_at', 'due_on'], unique=False)

    op.create_table(
        'equality_response',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('service_code', sa.String(length=40), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('location_type', sa.String(length=10), nullable=False),
        sa.Column('age_band', sa.String(length=20), nullable=False),
        sa.Column('sex', sa.String(length=20), nullable=False),
        sa.Column('disability', sa.String(length=20), nullable=False),
        sa.Column('ethnic_group', sa.String(length=40), nullable=False),
        sa.Column('religion', sa.String(length=30), nullable=False),
        sa.Column('main_language_english', sa.String(length=20), nullable=False),
        sa.Column('satisfaction_score', sa.Integer(), nullable=True),
        sa.Column('visit_key', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_equality_response')),
        sa.UniqueConstraint('visit_key', name=op.f('uq_equality_response_visit_key')),
    )

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_day', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_message_batch_day'), ['batch_day'], unique=False)

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('satisfaction_channel', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('satisfaction_comment', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_column('satisfaction_comment')
        batch_op.drop_column('satisfaction_channel')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_batch_day'))
        batch_op.drop_column('batch_day')

    op.drop_table('equality_response')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_open')
    op.drop_table('feedback')
    with op.batch_alter_table('hub_closure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hub_closure_hub_id'))
    op.drop_table('hub_closure')
