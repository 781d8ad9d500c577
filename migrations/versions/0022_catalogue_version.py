"""catalogue version: a change to skills, services, hubs, their opening hours or closures changes the
roster's version row too, so the catalogue can be cached like the roster

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 07:00:00

The catalogue tables get triggers that call 0014's `roster_changed()`: the one version row then tells
every process that the roster or the catalogue changed (app/catalogue/cached.py, app/officers/roster.py),
and one read of it a request serves both. One row, not a second one: PostgreSQL's BEFORE ... FOR EACH
STATEMENT triggers lock it before any catalogue or roster row, so two transactions that change both
(in either order) can never wait for each other in a circle, as with 0014. community_area is a roster
table already. SQLite: row triggers, as in 0014. tests/catalogue/test_cached.py checks every table has
them.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

CATALOGUE_TABLES = ("skill", "service", "hub", "hub_opening", "hub_closure")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in CATALOGUE_TABLES:
            op.execute(
                "CREATE TRIGGER catalogue_changed BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION roster_changed()'
            )
    else:
        for table in CATALOGUE_TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f'CREATE TRIGGER catalogue_changed_{table}_{event.lower()} AFTER {event} ON "{table}" '
                    "BEGIN INSERT INTO roster_version (id, version) VALUES (1, lower(hex(randomblob(16)))) "
                    "ON CONFLICT (id) DO UPDATE SET version = excluded.version; END"
                )
    # Whatever a process cached before this release is older than the triggers: a new version for all.
    fresh = (
        "gen_random_uuid()::text"
        if op.get_bind().dialect.name == "postgresql"
        else "lower(hex(randomblob(16)))"
    )
    op.execute(f"UPDATE roster_version SET version = {fresh} WHERE id = 1")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in CATALOGUE_TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS catalogue_changed ON "{table}"')
    else:
        for table in CATALOGUE_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS catalogue_changed_{table}_{event}")
