"""Test harness: one migrated database per run, and a transaction rolled back after each test."""

from __future__ import annotations

import os
import threading

import flask_migrate
import pytest
from flask import g
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from app.extensions import db
from app.web.guards import limiter
from tests.database import postgres_url, reset_postgres
from tests.pages import PageCheckingClient

pytest_plugins = ["tests.factories", "tests.notification_fixtures"]


def _database_url(tmp_path_factory) -> tuple[str, bool]:
    if os.environ.get("TEST_DATABASE_URL", "").startswith("sqlite"):
        return os.environ["TEST_DATABASE_URL"], False  # run the suite on the embedded database
    url = postgres_url()
    if url:
        reset_postgres(url)
        return url, True
    if os.environ.get("REQUIRE_POSTGRES"):
        pytest.exit("REQUIRE_POSTGRES is set but no PostgreSQL server answers on 127.0.0.1:5432", 3)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}", False


@pytest.fixture(scope="session")
def database(tmp_path_factory) -> dict:
    url, is_postgres = _database_url(tmp_path_factory)
    return {"url": url, "postgres": is_postgres}


@pytest.fixture(scope="session")
def app(database):
    app = create_app(
        {
            "TESTING": True,
            "ENVIRONMENT": "test",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database["url"],
        }
    )
    app.test_client_class = PageCheckingClient
    with app.app_context():
        limiter.enabled = False  # this app's limits (each app has its own): on in the tests that prove them

    @app.before_request
    def _fresh_g_each_request():
        # Tests hold one app context across requests; production gets a fresh g per request
        # (Flask-Login and Flask-WTF cache the user and the CSRF token there).
        g.__dict__.clear()

    app.before_request_funcs[None].insert(0, app.before_request_funcs[None].pop())
    with app.app_context():
        flask_migrate.upgrade()
    return app


@pytest.fixture(scope="session")
def postgres(database):
    if not database["postgres"]:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but the suite is not running on PostgreSQL")
        pytest.skip("needs PostgreSQL")
    return database["url"]


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Everything a test writes is rolled back, even what the code under test commits."""
    if "committed" in request.fixturenames:
        with app.app_context():
            yield
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def committed(app):
    """For tests that need real commits seen by other connections: tables are emptied afterwards."""
    yield
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client(app) -> PageCheckingClient:
    return app.test_client()


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def live_server(app, committed):
    """The app served on a free localhost port, one thread per request (real concurrency)."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    saved, app.config["PUBLIC_BASE_URL"] = app.config["PUBLIC_BASE_URL"], base  # links in texts and pages
    yield base
    app.config["PUBLIC_BASE_URL"] = saved
    server.shutdown()
