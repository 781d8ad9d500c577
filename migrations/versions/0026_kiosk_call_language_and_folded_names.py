"""kiosk call language and folded names: the language a kiosk call or call-back was asked in (so the
agent can book an interpreter), and each customer's name folded for the agent's caller search

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 13:00:00

kiosk_call.locale: app.i18n.LANGUAGES' code; blank for calls logged before this.
customer.name_folded: app.folding.fold(name) ("zofia wisniewska" for "Zofia Wiśniewska"), kept by the
model with every change of the name; filled here for the records there are, in Python, so PostgreSQL
and SQLite fold alike (neither unaccent nor an ICU collation is needed).
"""

from alembic import op
import sqlalchemy as sa

from app.folding import fold


# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    # Plain ADD COLUMNs (no table rebuild on SQLite).
    op.add_column("kiosk_call", sa.Column("locale", sa.String(10), nullable=False, server_default=""))
    op.add_column("customer", sa.Column("name_folded", sa.String(160), nullable=False, server_default=""))
    customer = sa.table(
        "customer",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_folded", sa.String),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(customer.c.id, customer.c.name)
            .where(customer.c.id > last)
            .order_by(customer.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            customer.update()
            .where(customer.c.id == sa.bindparam("row_id"))
            .values(name_folded=sa.bindparam("folded")),
            [{"row_id": row.id, "folded": fold(row.name or "")[:160]} for row in rows],
        )
        last = rows[-1].id
    op.create_index("ix_customer_name_folded", "customer", ["name_folded"])


def downgrade():
    op.drop_index("ix_customer_name_folded", table_name="customer")
    op.drop_column("customer", "name_folded")
    op.drop_column("kiosk_call", "locale")
