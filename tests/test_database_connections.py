"""Pooled database connections: one the server has ended is replaced, never handed to a request."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text

from app.extensions import db

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
