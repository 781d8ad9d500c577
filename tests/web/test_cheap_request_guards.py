"""What every request pays outside the engine was made cheaper (bench/README.md, section 3, "Per-request
cost"); these prove each guard still holds: the NUL refusal wherever a NUL can hide, the CSP nonce on
pages, reads before a transaction that see what is committed, and one connection per thread."""

from __future__ import annotations

import os
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import bindparam, event, select

from app.config import Settings
from app.extensions import HotRead, db
from app.models import User
from app.staff.tokens import create_token, find_token, revoke
from tests.booking_helpers import NOW
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
INBOUND = "/webhooks/twilio/inbound"  # public, no CSRF, a form body: refused (403) unless signed by Twilio


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("Body=a%00b", "application/x-www-form-urlencoded"),
        ("Body=a\x00b", "application/x-www-form-urlencoded"),
        (
            '--b\r\nContent-Disposition: form-data; name="Body"\r\n\r\na\x00b\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
    ],
)
def test_a_nul_in_a_form_body_is_refused_before_the_route_runs(client, body, content_type):
    assert client.post(INBOUND, data=body.encode(), content_type=content_type).status_code == 400


def test_text_that_only_looks_like_a_nul_is_let_through(client):
    # "%2500" is the text "%00"; a backslash before u0000 in JSON is the text "\u0000": no NUL in either.
    assert (
        client.post(INBOUND, data=b"Body=%2500", content_type="application/x-www-form-urlencoded").status_code
        == 403
    )
    api = client.get("/api/v1/availability?service=%2500")
    assert api.status_code == 422 and "request" not in api.get_json()["errors"]
    user = UserFactory(role="admin")
    headers = {"Authorization": f"Bearer {create_token(user)}"}
    looks_like = client.post("/api/v1/appointments", data=b'{"service": "a\\\\u0000b"}', headers=headers,
                             content_type="application/json")  # fmt: skip
    assert looks_like.status_code == 422 and "request" not in looks_like.get_json()["errors"]
    real = client.post("/api/v1/appointments", data=b'{"service": "a\\u0000b"}', headers=headers,
                       content_type="application/json")  # fmt: skip
    assert real.status_code == 422 and "request" in real.get_json()["errors"]


def test_only_pages_carry_a_csp_nonce_and_each_page_its_own(client):
    api = client.get("/healthz").headers["Content-Security-Policy"]
    assert "script-src 'self';" in api and "nonce-" not in api
    first, second = (client.get("/").headers["Content-Security-Policy"] for _ in range(2))
    assert "'nonce-" in first and first != second


def test_an_answer_without_a_session_sets_no_cookie_and_still_varies_on_it(client):
    answer = client.get("/healthz")
    assert "Set-Cookie" not in answer.headers
    assert "Cookie" in answer.headers.get("Vary", "")  # as before: Flask-Login looks at the session


def test_a_read_before_any_transaction_sees_what_is_committed_and_begins_none(app, postgres, committed):
    users = HotRead(select(User.email).where(User.id == bindparam("user")))
    with app.app_context():
        user_id = UserFactory(email="first@council.example").id
        db.session.commit()
        db.session.remove()
        assert users.rows(user=user_id) == [("first@council.example",)]
        assert not db.session.registry.has()  # no session was made for it, so no transaction either
        db.session.get(User, user_id).email = "changed@council.example"
        assert users.rows(user=user_id) == [
            ("changed@council.example",)
        ]  # in the transaction: its own change
        db.session.rollback()
        assert users.rows(user=user_id) == [("first@council.example",)]


def test_a_revoked_token_is_refused_at_once_when_nothing_else_is_read(app, client, postgres, committed):
    with app.app_context():
        user = UserFactory(role="admin")
        secret = create_token(user, "outside any transaction")
        db.session.commit()
        headers = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/v1/appointments/NOSUCHREF", headers=headers).status_code == 404
        revoke(find_token(secret[:12]), by=user)
        db.session.commit()
        assert client.get("/api/v1/appointments/NOSUCHREF", headers=headers).status_code == 401


def test_gunicorn_workers_keep_a_few_connections_open_and_never_open_more(monkeypatch):
    """Threads wait (long polls hold one, not a connection); connections work: each worker keeps a
    small pool open and a request waits for one of it rather than opening another."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    monkeypatch.setattr(os, "environ", environment | {"GUNICORN_THREADS": "12"})
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["threads"] == 12
    config["on_starting"](SimpleNamespace(cfg=SimpleNamespace(threads=config["threads"])))
    assert (os.environ["DATABASE_POOL_SIZE"], os.environ["DATABASE_MAX_OVERFLOW"]) == ("8", "0")
    on_postgres = Settings(database_url="postgresql://db.example/doorstep").flask_config()
    assert on_postgres["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_size": 8, "max_overflow": 0}
    assert Settings(database_url="sqlite:///x.db").flask_config()["SQLALCHEMY_ENGINE_OPTIONS"] == {}
    monkeypatch.setattr(os, "environ", environment | {"DATABASE_POOL_SIZE": "3"})
    config["on_starting"](SimpleNamespace(cfg=SimpleNamespace(threads=1)))  # a sync worker, or --threads 1
    assert os.environ["DATABASE_POOL_SIZE"] == "3"  # what the operator set wins
    environment.pop("DATABASE_POOL_SIZE", None)
    monkeypatch.setattr(os, "environ", dict(environment))
    config["on_starting"](SimpleNamespace(cfg=SimpleNamespace(threads=1)))
    assert os.environ["DATABASE_POOL_SIZE"] == "1"  # never more connections than threads


def test_a_token_s_last_use_is_kept_by_requests_that_only_read_and_written_once_a_minute(
    app, client, committed
):
    def last_used():
        db.session.remove()  # what is committed, as another worker sees it
        return find_token(secret[:12]).last_used_at

    with app.app_context():
        secret = create_token(UserFactory(role="admin"), "reads only")
        db.session.commit()
        headers = {"Authorization": f"Bearer {secret}"}
        for moment in (NOW, NOW + timedelta(seconds=50), NOW + timedelta(minutes=2)):
            with time_machine.travel(moment, tick=False):
                assert client.get("/api/v1/appointments/NOSUCHREF", headers=headers).status_code == 404
            assert last_used() == (NOW if moment - NOW < timedelta(minutes=1) else moment)


def test_requests_that_find_a_token_s_last_use_due_neither_wait_for_nor_repeat_the_one_writing_it(
    app, client, committed, postgres
):
    """Once a minute every request then in flight with a token finds its "last used" due: one writes
    it, and the others must not queue behind that one's row lock (each then writing it again)."""

    def keep_lock_waits_short(connection):
        connection.exec_driver_sql("SET LOCAL lock_timeout = '2s'")  # waiting fails the test, not hangs it

    with app.app_context():
        secret = create_token(UserFactory(role="admin"), "busy client")
        db.session.commit()
        token_id = find_token(secret[:12]).id
        db.session.remove()
        writing = db.engine.connect()  # another request, between writing "last used" and its commit
        writing.exec_driver_sql("UPDATE api_token SET last_used_at = %s WHERE id = %s", (NOW, token_id))
        event.listen(db.engine, "begin", keep_lock_waits_short)
        try:
            headers = {"Authorization": f"Bearer {secret}"}
            assert client.get("/api/v1/appointments/NOSUCHREF", headers=headers).status_code == 404
        finally:
            event.remove(db.engine, "begin", keep_lock_waits_short)
            writing.commit()
            writing.close()
        db.session.remove()
        assert find_token(secret[:12]).last_used_at == NOW  # the other request's, not written again
