"""caller search trigram index: on PostgreSQL, a trigram GIN index on customer.name_folded, so the
agent's caller search (typed text anywhere in the folded name) reads the index, not every record

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 14:00:00

find_callers compares `name_folded LIKE '%text%'` (app.booking.agent): a btree (ix_customer_name_folded,
0026) cannot serve a match in the middle of a name, so PostgreSQL scanned the table. pg_trgm's GIN index
can. PostgreSQL only: SQLite has no pg_trgm, and this migration does nothing there (the search still
works, by scanning). CREATE EXTENSION needs a superuser or, since PostgreSQL 13 (pg_trgm is a trusted
extension), a role with CREATE on the database. The downgrade keeps the extension: other objects may
use it, and it costs nothing unused.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_customer_name_folded_trgm",
        "customer",
        ["name_folded"],
        postgresql_using="gin",
        postgresql_ops={"name_folded": "gin_trgm_ops"},
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_customer_name_folded_trgm", table_name="customer")
