"""link versions: a resident's manage link and session can be ended; a number that replied STOP stays
stopped until it replies START

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 04:10:00

appointment.link_version goes up when staff send a new link: every older manage and calendar link and
every resident session for that booking stop working. appointment.session_version goes up when the
resident presses "I have finished": every session for the booking ends, links keep working. Both start
at 0, the version of links issued before this release, so those keep working until revoked.

sms_opt_out holds the numbers that replied STOP (until they reply START), whoever's record they are on:
a booking made later with the same number cannot turn texts back on.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appointment") as batch_op:
        batch_op.add_column(sa.Column("link_version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "sms_opt_out",
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_sms_opt_out")),
    )
    # Numbers that replied STOP before this release and have not replied START since.
    op.execute(
        "INSERT INTO sms_opt_out (phone, at) SELECT sender, MAX(received_at) FROM inbound_message i"
        " WHERE action = 'stop' AND sender <> '' AND NOT EXISTS (SELECT 1 FROM inbound_message later"
        " WHERE later.sender = i.sender AND later.action = 'start' AND later.received_at > i.received_at)"
        " GROUP BY sender"
    )


def downgrade():
    op.drop_table("sms_opt_out")
    with op.batch_alter_table("appointment") as batch_op:
        batch_op.drop_column("session_version")
        batch_op.drop_column("link_version")
