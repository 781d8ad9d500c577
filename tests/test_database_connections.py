"""Pooled database connections: one the server has ended is replaced, never handed to a request."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import event, text

from app.extensions import READ_CONNECTIONS_PER_PROCESS, db, read_connections_of

pytestmark = pytest.mark.postgres


def _backend_pid() -> int:
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.remove()  # back to the pool
    return pid


@pytest.mark.usefixtures("committed")
def test_a_connection_the_server_ended_is_replaced_before_a_request_uses_it(client, postgres):
    ended = _backend_pid()
    url = postgres.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (ended,))
        deadline = time.monotonic() + 60
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (ended,)).fetchone():
            assert time.monotonic() < deadline, "the server did not end the session"
            time.sleep(0.05)
    for _ in range(db.engine.pool.size()):  # whichever pooled connection the next request gets
        assert client.get("/healthz").status_code == 200
    assert _backend_pid() != ended


@pytest.mark.usefixtures("committed")
def test_a_rollback_keeps_the_connection_s_prepared_statements(app):
    """A statement the connection has prepared (psycopg prepares one it has run five times) is still
    prepared after rollbacks (a session's, and the pool's reset on check-in, which is the same
    dialect call): without this every read-only request or refused booking made PostgreSQL parse and
    plan its statements again."""
    read = text("SELECT count(*) FROM service WHERE code = :code")
    with db.engine.connect() as connection:
        for _ in range(6):
            connection.execute(read, {"code": "x"})
        connection.rollback()
        connection.execute(read, {"code": "x"})
        connection.rollback()
        names = connection.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
        connection.rollback()
    assert any("FROM service WHERE code" in name for name in names), names


@pytest.mark.usefixtures("committed")
def test_a_failed_transaction_is_still_rolled_back(app):
    """Keeping prepared statements does not keep a failed transaction: after an error the connection
    is usable again."""
    with db.engine.connect() as connection:
        with pytest.raises(Exception, match="division by zero"):
            connection.execute(text("SELECT 1 / 0"))
        connection.rollback()
        assert connection.scalar(text("SELECT 2")) == 2
        connection.rollback()


def _read_connection_pids() -> list[int]:
    return [driver.info.backend_pid for driver, _info, _since in read_connections_of(db.engine).idle]


@pytest.mark.usefixtures("committed")
def test_reads_before_a_transaction_use_the_read_connections_not_the_pool(client):
    """The health check's read (like a token's or a 409's claim) takes none of the pool's connections:
    after the first request has opened a read connection, further requests check nothing out."""
    assert client.get("/healthz").status_code == 200
    checkouts = []
    listener = lambda *_args: checkouts.append(1)  # noqa: E731
    event.listen(db.engine, "checkout", listener)
    try:
        for _ in range(5):
            assert client.get("/healthz").status_code == 200
    finally:
        event.remove(db.engine, "checkout", listener)
    assert checkouts == []
    assert _read_connection_pids()


@pytest.mark.usefixtures("committed")
def test_a_read_connection_the_server_ended_costs_no_request_an_error(client, postgres):
    assert client.get("/healthz").status_code == 200
    ended = _read_connection_pids()
    assert ended
    url = postgres.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:
        for pid in ended:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 60
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", (ended,)).fetchone():
            assert time.monotonic() < deadline, "the server did not end the sessions"
            time.sleep(0.05)
    for _ in range(READ_CONNECTIONS_PER_PROCESS + 2):
        assert client.get("/healthz").status_code == 200
    assert not set(_read_connection_pids()) & set(ended)


@pytest.mark.usefixtures("committed")
def test_disposing_of_the_engine_closes_the_read_connections(client, postgres):
    """As before a database is copied as a template (the benchmarks do): no session of ours is left."""
    assert client.get("/healthz").status_code == 200
    pids = _read_connection_pids()
    assert pids
    db.engine.dispose()
    url = postgres.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:
        deadline = time.monotonic() + 60
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)).fetchone():
            assert time.monotonic() < deadline, "a read connection is still open"
            time.sleep(0.05)
    assert _read_connection_pids() == []
