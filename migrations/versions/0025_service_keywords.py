"""service keywords: the plain words people use for a service ("skip, sofa, fridge" for a bulky waste
survey), which service search matches besides its name and summary

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 10:00:00
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no table rebuild on SQLite, which would drop 0022's version triggers).
    op.add_column("service", sa.Column("keywords", sa.Text(), nullable=False, server_default=""))


def downgrade():
    op.drop_column("service", "keywords")
