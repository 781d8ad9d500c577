"""Migrations build the schema the models describe, on PostgreSQL, from an empty database."""

from __future__ import annotations

import flask_migrate
import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app import create_app
from app.config import Settings
from app.extensions import db

pytestmark = pytest.mark.postgres


@pytest.fixture
def empty_postgres(postgres):
    # Named after this suite's own database (TEST_DB_NAME), so suites side by side on one server
    # never drop each other's scratch database.
    scratch = postgres.rsplit("/", 1)[1] + "_migrations"
    admin = postgres.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    url = postgres.rsplit("/", 1)[0] + f"/{scratch}"
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def test_upgrade_from_empty_matches_the_models(empty_postgres):
    scratch_app = create_app(Settings(database_url=empty_postgres), testing=True)
    with scratch_app.app_context():
        flask_migrate.upgrade()
        engine = create_engine(empty_postgres)
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
            tables = set(inspect(conn).get_table_names())
            customer_columns = {c["name"] for c in inspect(conn).get_columns("customer")}
        engine.dispose()
        db.engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"
    assert {"appointment", "officer", "service", "hub", "audit_event", "api_token"} <= tables
    # One place for the language a customer reads (tidy item 5: `language` was written, never read).
    assert "locale" in customer_columns and "language" not in customer_columns


def test_downgrade_to_empty_and_back(empty_postgres):
    scratch_app = create_app(Settings(database_url=empty_postgres), testing=True)
    with scratch_app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        db.engine.dispose()


def test_the_scratch_database_is_named_after_this_suites_own(empty_postgres, postgres):
    """Regression (tidy item 3): a fixed name let two suites on one PostgreSQL drop each other's."""
    assert empty_postgres.rsplit("/", 1)[1] == postgres.rsplit("/", 1)[1] + "_migrations"
