"""The rate limiter is one object for the routes' decorators, but each app keeps its own switch, storage
and key prefix, from its own settings: one app set up later (tests make many) changes nothing in another."""

from __future__ import annotations

from app import create_app
from app.extensions import db
from app.web.guards import limiter
from tests.pages import PageCheckingClient, csrf_token


def _app(database_url: str, **config):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret-key", "SQLALCHEMY_DATABASE_URI": database_url, **config}
    )
    app.test_client_class = PageCheckingClient
    return app


def _lookups(app, count: int) -> list[int]:
    """Residents' "find my booking" form (10 a minute from one address), sent with nothing filled in."""
    client = app.test_client()
    token = csrf_token(client.get("/manage/find").text)
    return [
        client.post(
            "/manage/find", data={"csrf_token": token}, environ_base={"REMOTE_ADDR": "192.0.2.50"}
        ).status_code
        for _ in range(count)
    ]


def test_an_app_set_up_later_does_not_switch_another_apps_limits_off(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    limited = _app(url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    _app(url, RATELIMIT_ENABLED=False)  # e.g. a scratch app in another test
    with limited.app_context():
        assert limiter.enabled is True
    assert _lookups(limited, 11)[-1] == 429


def test_each_app_counts_in_its_own_storage_under_its_own_prefix(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    first = _app(url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_KEY_PREFIX="first")
    second = _app(
        url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_KEY_PREFIX="second"
    )
    assert _lookups(first, 10) == [200] * 10
    assert _lookups(second, 1) == [200]  # the first app's ten do not count here
    with first.app_context():
        first_keys = list(limiter.storage.events) + list(limiter.storage.storage)
    with second.app_context():
        second_keys = list(limiter.storage.events) + list(limiter.storage.storage)
    assert first_keys and all(key.startswith("LIMITER/first/") for key in first_keys)
    assert second_keys and all(key.startswith("LIMITER/second/") for key in second_keys)


def test_the_suites_own_app_keeps_its_limits_switched_off(app, client):
    _app(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True)
    assert limiter.enabled is False  # the conftest switched the session app's off; that still holds
    assert set(_lookups(app, 12)) == {200}
    db.session.rollback()
