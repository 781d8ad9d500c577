"""roster version: a row the database changes with every roster change, so caches can tell

Revision ID: 0014
Revises: 0010
Create Date: 2026-11-30 18:00:00

Triggers on every roster table set roster_version.version to a new random value in the same
transaction as the change, whoever makes it (the app, a script, psql). PostgreSQL: one BEFORE ...
FOR EACH STATEMENT trigger per table, so the version row is always locked before any roster row and
two roster changes can never wait for each other in a circle. SQLite: row triggers (it has no others;
one writer at a time anyway). tests/officers/test_roster.py checks every table has them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

ROSTER_TABLES = ('officer', 'officer_skill', 'officer_area', 'working_pattern', 'absence', 'community_area')


def upgrade():
    op.create_table(
        'roster_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_version')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            """
            CREATE FUNCTION roster_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO roster_version (id, version) VALUES (1, gen_random_uuid()::text)
                ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;
                RETURN NULL;
            END
            $$
            """
        )
        for table in ROSTER_TABLES:
            op.execute(
                f'CREATE TRIGGER roster_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                'FOR EACH STATEMENT EXECUTE FUNCTION roster_changed()'
            )
    else:
        for table in ROSTER_TABLES:
            for event in ('INSERT', 'UPDATE', 'DELETE'):
                op.execute(
                    f'CREATE TRIGGER roster_changed_{table}_{event.lower()} AFTER {event} ON "{table}" '
                    "BEGIN INSERT INTO roster_version (id, version) VALUES (1, lower(hex(randomblob(16)))) "
                    "ON CONFLICT (id) DO UPDATE SET version = excluded.version; END"
                )
    fresh = "gen_random_uuid()::text" if op.get_bind().dialect.name == "postgresql" else "lower(hex(randomblob(16)))"
    op.execute(f"INSERT INTO roster_version (id, version) VALUES (1, {fresh})")  # never a value seen before


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in ROSTER_TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS roster_changed ON "{table}"')
        op.execute('DROP FUNCTION IF EXISTS roster_changed()')
    else:
        for table in ROSTER_TABLES:
            for event in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS roster_changed_{table}_{event}')
    op.drop_table('roster_version')
