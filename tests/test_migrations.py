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

SCRATCH = "doorstep_migrations_test"


@pytest.fixture
def empty_postgres(postgres):
    admin = postgres.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{SCRATCH}"')
    url = postgres.rsplit("/", 1)[0] + f"/{SCRATCH}"
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


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
        engine.dispose()
        db.engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"
    assert {"appointment", "officer", "service", "hub", "audit_event", "api_token"} <= tables


def test_downgrade_to_empty_and_back(empty_postgres):
    scratch_app = create_app(Settings(database_url=empty_postgres), testing=True)
    with scratch_app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        db.engine.dispose()
