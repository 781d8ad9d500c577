"""kiosk help and call-backs: a help request nobody dealt with is closed after a while (closed_at), and a
kiosk call-back keeps the mobile number to ring and who rang it, so staff screens list the open ones

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 10:00:00

kiosk_help_request.texted_to: the staff mobile texted (blank: nobody could be told).
kiosk_help_request.closed_at: set by the scheduler's kiosk_help job when nobody pressed "Dealt with" in
time (app/kiosk/kiosk.py close_unanswered). kiosk_call.call_back_phone (E.164; cleared once rung and by
retention), called_back_at and called_back_by_id: the agents' console lists call-backs not yet made.
"""

from alembic import op
import sqlalchemy as sa

from app.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("kiosk_help_request") as batch:
        batch.add_column(sa.Column("texted_to", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("kiosk_call") as batch:
        batch.add_column(sa.Column("call_back_phone", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("called_back_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("called_back_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_kiosk_call_called_back_by_id_user", "user", ["called_back_by_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("kiosk_call") as batch:
        batch.drop_constraint("fk_kiosk_call_called_back_by_id_user", type_="foreignkey")
        batch.drop_column("called_back_by_id")
        batch.drop_column("called_back_at")
        batch.drop_column("call_back_phone")
    with op.batch_alter_table("kiosk_help_request") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("texted_to")
