"""Rate limits work as documented (#15.4): shared by every gunicorn worker through Redis, keyed by the
client's address behind a trusted proxy, and sign-in limited per account and per address.

The gunicorn test boots the real server (4 workers, production settings) against the real Redis on
127.0.0.1:6379 (TEST_REDIS_URL; CI starts Redis and sets REQUIRE_REDIS=1 so it cannot be skipped).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from app.extensions import db
from app.models import AuditEvent
from app.web.guards import limiter
from tests.factories import PASSWORD, UserFactory
from tests.pages import csrf_token

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STRONG_PASSWORD = "tangerine-orbit-velvet-42"


@pytest.fixture
def limits_on():
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.reset()
    limiter.enabled = False


def _attempt(client, email, password, address):
    page = client.get("/sign-in", environ_base={"REMOTE_ADDR": address})
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
        environ_base={"REMOTE_ADDR": address},
    ).status_code


def test_guesses_at_one_account_from_one_address_are_limited(client, limits_on):
    user = UserFactory()
    db.session.commit()
    statuses = [_attempt(client, user.email, "wrong-guess", "198.51.100.1") for _ in range(12)]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]


def test_a_stranger_cannot_lock_an_account_out(app, client, limits_on, configure):
    """Second attack (December 2026): ten wrong passwords for agent3 from one address, and the agent's
    own correct password got 429 from anywhere. The hard limit is per account and address now; failures
    at the account from everywhere slow its failed answers and are audited as a burst."""
    configure(sign_in_max_delay_seconds=0.0)  # no timing in unit tests; delay_after() is checked below
    user = UserFactory()
    db.session.commit()
    guesses = [_attempt(client, user.email, "wrong-guess", "198.51.100.1") for _ in range(11)]
    assert guesses[-1] == 429
    spread = [_attempt(app.test_client(), user.email, "wrong-guess", f"198.51.100.{i}") for i in range(2, 12)]
    assert spread == [200] * 10  # many addresses: counted and slowed, never a block on the account
    assert _attempt(app.test_client(), user.email, PASSWORD, "203.0.113.5") == 302  # the agent signs in
    bursts = db.session.query(AuditEvent).filter_by(action="sign_in_burst").all()
    assert len(bursts) == 1 and bursts[0].detail["email"] == user.email


def test_failed_sign_ins_at_one_account_wait_longer_up_to_a_ceiling():
    from app.routes.auth import delay_after

    assert [delay_after(n, 2.0) for n in (1, 5, 6, 7, 8, 9, 10, 500)] == [0, 0, 0.25, 0.5, 1, 2, 2, 2]


def test_a_contact_centre_behind_one_address_signs_in_at_shift_start(app, limits_on):
    agents = [UserFactory() for _ in range(15)]
    db.session.commit()
    statuses = [_attempt(app.test_client(), a.email, PASSWORD, "192.0.2.10") for a in agents]
    assert statuses == [302] * 15  # successful sign-ins do not use up anyone's allowance


def test_guesses_from_one_address_at_many_accounts_are_limited(app, client, limits_on):
    statuses = [_attempt(client, f"nobody{i}@council.example", "guess", "192.0.2.20") for i in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    user = UserFactory()
    db.session.commit()
    assert _attempt(app.test_client(), user.email, PASSWORD, "192.0.2.21") == 302  # others unaffected


# The real server ----------------------------------------------------------------------------------


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"REQUIRE_REDIS is set but no Redis answers at {REDIS_URL}")
        pytest.skip(f"needs Redis at {REDIS_URL}")
    return client


def _run_cli(env, *args):
    result = subprocess.run(  # noqa: S603  (the test's own arguments)
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def _answering_workers(access_log, path: str = "/healthz") -> set[str]:
    """The pids of the workers that answered `path` so far (the access log's first field)."""
    if not access_log.exists():
        return set()
    return {line.split()[0] for line in access_log.read_text().splitlines() if line.endswith(path)}


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with 4 workers on a socket we opened (no port race), production settings, Redis limits."""
    redis_client = _redis()
    prefix = f"doorstep-test-{secrets.token_hex(4)}"
    database = tmp_path / "doorstep.db"
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": "https://doorstep.council.example",
        "TRUSTED_HOSTS": "127.0.0.1",
        "PROXY_COUNT": "1",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    _run_cli(env, "db", "upgrade")
    _run_cli(env, "users", "create", "--email", "agent@council.example", "--role", "agent",
             "--password", STRONG_PASSWORD)  # fmt: skip
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    access_log, errors = tmp_path / "access.log", tmp_path / "gunicorn.err"
    with open(errors, "w") as err:
        server = subprocess.Popen(  # noqa: S603  (the test's own arguments)
            # sync workers: a busy one does not accept, so concurrent requests must reach several
            # (a gthread worker can take every connection itself while its threads are free).
            [sys.executable, "-m", "gunicorn", "--workers", "4", "--worker-class", "sync",
             "--bind", f"fd://{listener.fileno()}",
             "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s %(U)s", "wsgi:app"],
            cwd=ROOT, env=env, pass_fds=[listener.fileno()], stdout=err, stderr=err,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, errors.read_text()[-3000:]
            try:  # the socket accepts at once; an answer comes when a worker has loaded the app
                if requests.get(f"{base}/healthz", timeout=30).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within 120 s"
            time.sleep(0.2)
        # One worker answers as soon as it has loaded the app; on a busy machine the others may take
        # seconds more. Wait until several answer, or the test would only ever meet the first.
        while len(_answering_workers(access_log)) < 2:
            assert server.poll() is None, errors.read_text()[-3000:]
            assert time.monotonic() < deadline, "only one gunicorn worker answered within 120 s"
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _: requests.get(f"{base}/healthz", timeout=30), range(16)))
        yield {"base": base, "database": database, "access_log": access_log}
    finally:
        server.terminate()
        server.wait(60)
        listener.close()
        for key in redis_client.scan_iter(f"*LIMITER/{prefix}/*"):
            redis_client.delete(key)


def _from(address: str) -> dict:
    return {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}


def test_limits_hold_across_four_gunicorn_workers_with_redis(gunicorn):
    base = gunicorn["base"]

    def services(_):
        return requests.get(f"{base}/api/v1/services", headers=_from("203.0.113.7"), timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:  # concurrent, so several workers must answer
        statuses = Counter(pool.map(services, range(80)))
    assert statuses == {200: 60, 429: 20}  # the documented 60 a minute, not 60 per worker
    # Behind the proxy each client has its own allowance; without ProxyFix all would share one.
    other = requests.get(f"{base}/api/v1/services", headers=_from("203.0.113.8"), timeout=60)
    assert other.status_code == 200

    pids = _answering_workers(gunicorn["access_log"], "/api/v1/services")
    assert len(pids) >= 2, "the requests should have been answered by more than one worker"


def test_sign_in_failures_at_one_account_from_many_addresses_are_audited_not_blocked(gunicorn):
    base = gunicorn["base"]
    statuses = []
    for i in range(12):
        headers = _from(f"198.51.100.{i}")
        page = requests.get(f"{base}/sign-in", headers=headers, timeout=60)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        # The session cookie is Secure (production); send it by hand over the test's plain HTTP.
        cookie = f"session={page.cookies['session']}"
        response = requests.post(
            f"{base}/sign-in",
            data={"email": "agent@council.example", "password": "not-it", "csrf_token": token},
            # Over HTTPS, Flask-WTF also wants a same-origin Referer (as a browser sends).
            headers=headers | {"Cookie": cookie, "Referer": base.replace("http:", "https:") + "/sign-in"},
            allow_redirects=False,
            timeout=60,
        )
        statuses.append(response.status_code)
    assert statuses == [200] * 12  # a stranger cannot lock the account out (slowed, not blocked)
    with sqlite3.connect(gunicorn["database"]) as conn:
        rows = conn.execute("SELECT ip FROM audit_event WHERE action = 'sign_in_failed'")
        addresses = {row[0] for row in rows}
        bursts = conn.execute("SELECT count(*) FROM audit_event WHERE action = 'sign_in_burst'").fetchone()
    assert addresses == {f"198.51.100.{i}" for i in range(12)}  # the client, not the load balancer
    assert bursts == (1,)  # counted across the four workers in Redis


def test_audit_rows_without_a_proxy_keep_the_socket_address(client, make_user):
    user = make_user()
    db.session.commit()
    _attempt(client, user.email, "wrong", "192.0.2.99")
    assert db.session.query(AuditEvent).filter_by(action="sign_in_failed").one().ip == "192.0.2.99"
