"""Which database the tests use: PostgreSQL when one answers (required in CI), else SQLite."""

from __future__ import annotations

import os

import psycopg

DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Several checkouts on one machine (or parallel CI jobs) each name their own database.
TEST_DB_NAME = os.environ.get("TEST_DB_NAME", "doorstep_test")


def postgres_url() -> str | None:
    """A URL for an empty-able PostgreSQL test database, creating it if needed; None if no server."""
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        return explicit
    try:
        with psycopg.connect(DEFAULT_PG_ADMIN, autocommit=True, connect_timeout=2) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEST_DB_NAME,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{TEST_DB_NAME}"')
    except psycopg.OperationalError:
        return None
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{TEST_DB_NAME}"


def reset_postgres(url: str) -> None:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
