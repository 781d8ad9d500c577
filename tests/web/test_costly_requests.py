"""What the outsider's attack on the production deployment found (2 December 2026, evening): cheap
requests that cost the server a lot, and limits "per address" that an IPv6 client walked round. Each
test failed before its fix.

- A resident's link was read before its signature was checked, and itsdangerous inflates a payload
  that starts with "." (zlib): a 3.5 KB link became 3 MB of JSON, about two seconds of a worker.
- An urlencoded form of 120,000 empty fields (under the 1 MB body limit) took 1.4 to 2.9 seconds to
  parse on any public form and on the Twilio webhooks, before anything refused it.
- Rate limits were keyed on the full client address: from IPv6, where one line holds a /64, each
  request could come from another address and no "per address" limit ever applied.
- A sign-in's password hash (argon2id, deliberately slow) ran inside the request's transaction, holding
  one of the worker's 8 pooled connections: 8 sign-ins at once held them all and every other request
  on the worker waited; and any number of hashes ran at once (64 MiB and a core each): 30 wrong
  sign-ins sent together added 1.2 GB and starved every other request.
"""

from __future__ import annotations

import base64
import threading
import tracemalloc
import zlib

from argon2 import PasswordHasher

from app import create_app
from app.config import MAX_FORM_FIELDS, Settings
from app.extensions import db
from app.models import AuditEvent
from app.staff import staff
from app.staff.passwords import DUMMY_HASH, HASHES_AT_ONCE, verify_password
from tests.factories import UserFactory
from tests.pages import PageCheckingClient, csrf_token
from tests.safety_helpers import PASSWORD

MEGABYTE = 1024 * 1024


def _compressed_link(payload: bytes) -> str:
    """A manage link whose payload is zlib-compressed, as itsdangerous writes one ("." first), with a
    made-up timestamp and signature."""
    packed = base64.urlsafe_b64encode(zlib.compress(payload, 9)).decode().rstrip("=")
    return f"/manage/.{packed}.axA_Hw.mQsMDx0mB1p9rKq3yG4aZcVbN"


def test_a_compressed_link_is_answered_without_inflating_it(client):
    # 1.2 MB of JSON (300,000 empty lists) packed into a link of about 1,700 characters.
    link = _compressed_link(b"[" + b"[]," * 300_000 + b"[]]")
    assert len(link) < 4094  # it fits gunicorn's request line
    tracemalloc.start()
    try:
        response = client.get(link)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 404
    assert "link" in response.get_data(as_text=True).lower()  # the "this link does not work" page
    # Inflated and parsed, it took 17 MB (and, in production, seconds of CPU); answered, a page's worth.
    assert peak < 4 * MEGABYTE, f"{peak / MEGABYTE:.1f} MB"


def test_a_link_much_longer_than_ours_names_no_booking(client):
    assert client.get("/manage/" + "A" * 300 + ".axA_Hw.mQsMDx0mB1p9rKq3yG4aZcVbN").status_code == 404


def _fields(count: int) -> str:
    return "&".join(f"k{i}=" for i in range(count))


def test_a_form_of_thousands_of_fields_is_refused_before_it_is_parsed(client):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    # The Twilio webhooks have no rate limit: a forged call with 120,000 fields was parsed, then refused.
    webhook = client.post("/webhooks/twilio/inbound", data=_fields(120_000), headers=form)
    assert webhook.status_code == 413
    tell_us = client.post("/tell-us", data=_fields(MAX_FORM_FIELDS + 1), headers=form)
    assert tell_us.status_code == 413
    assert "What you sent is too large" in tell_us.get_data(as_text=True)
    assert not db.session.query(AuditEvent).filter_by(action="webhook_forged").count()  # not even read


def test_a_real_form_is_still_read(client):
    """The resident's "Tell us" form, sent as a browser sends it, goes through (the check counts fields)."""
    page = client.get("/tell-us").get_data(as_text=True)
    sent = client.post(
        "/tell-us",
        data={"csrf_token": csrf_token(page), "kind": "comment", "message": "The hub was lovely & quiet"},
    )
    assert sent.status_code == 302


def _limited_app(app):
    """The app with rate limits on (the tests' app has them off), on the same database."""
    limited = create_app(
        Settings(
            secret_key="test-secret-key",
            database_url=app.config["SQLALCHEMY_DATABASE_URI"],
            ratelimit_enabled=True,
            ratelimit_storage_uri="memory://",
        ),
        testing=True,
    )
    limited.test_client_class = PageCheckingClient
    return limited


def _look_ups(browser, addresses: list[str]) -> list[int]:
    """'Find your booking' (10 a minute per address), once from each address."""
    token = csrf_token(browser.get("/manage/find").get_data(as_text=True))
    wrong = {"csrf_token": token, "reference": "ABCD-EFGH", "surname": "Nobody", "postcode": "SN10 1AA"}
    return [
        browser.post("/manage/find", data=wrong, environ_base={"REMOTE_ADDR": address}).status_code
        for address in addresses
    ]


def test_an_ipv6_client_cannot_walk_round_the_limits_by_changing_address(app):
    browser = _limited_app(app).test_client()
    one_line = [f"2001:db8:1:2::{n:x}" for n in range(1, 12)]  # 11 addresses of one /64
    assert _look_ups(browser, one_line) == [200] * 10 + [429]
    # Another line (another /64) is someone else, and is not held up.
    assert _look_ups(browser, ["2001:db8:1:3::1"]) == [200]


def test_an_ipv4_address_written_as_ipv6_is_that_ipv4_address(app):
    browser = _limited_app(app).test_client()
    assert _look_ups(browser, ["192.0.2.44"] * 10) == [200] * 10
    assert _look_ups(browser, ["::ffff:192.0.2.44"]) == [429]


def test_sign_in_guesses_from_one_ipv6_line_are_limited_per_line(app):
    """30 failed sign-ins a minute per address, at any accounts: an IPv6 line is one address."""
    browser = _limited_app(app).test_client()
    token = csrf_token(browser.get("/sign-in").get_data(as_text=True))
    statuses = [
        browser.post(
            "/sign-in",
            data={"csrf_token": token, "email": f"person{n}@council.example", "password": "not-the-password"},
            environ_base={"REMOTE_ADDR": f"2001:db8:9:9::{n:x}"},
        ).status_code
        for n in range(1, 32)
    ]
    assert statuses == [200] * 30 + [429]


def test_a_sign_in_holds_no_database_connection_while_the_password_is_checked(
    client, committed, postgres, monkeypatch
):
    user = UserFactory()
    db.session.commit()
    held = []
    real = staff.verify_password

    def watched(stored, password):  # the real check, and how many pooled connections are out meanwhile
        held.append(db.engine.pool.checkedout())
        return real(stored, password)

    monkeypatch.setattr(staff, "verify_password", watched)
    for password in ("not-the-password", PASSWORD):
        token = csrf_token(client.get("/sign-in").get_data(as_text=True))
        answer = client.post(
            "/sign-in", data={"csrf_token": token, "email": user.email, "password": password}
        )
    assert answer.status_code == 302  # the right password still signs in
    assert held == [0, 0]
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-2:] == ["sign_in_failed", "signed_in"]  # both still recorded


def test_one_process_checks_a_few_passwords_at_once_and_queues_the_rest(monkeypatch):
    running, most = 0, 0
    count = threading.Lock()
    real = PasswordHasher.verify

    def watched(self, stored, password):  # argon2's own check, with how many run at once
        nonlocal running, most
        with count:
            running += 1
            most = max(most, running)
        try:
            return real(self, stored, password)
        finally:
            with count:
                running -= 1

    monkeypatch.setattr(PasswordHasher, "verify", watched)
    guesses = [threading.Thread(target=verify_password, args=(DUMMY_HASH, "a guess")) for _ in range(8)]
    for guess in guesses:
        guess.start()
    for guess in guesses:
        guess.join()
    assert most <= HASHES_AT_ONCE
    assert verify_password(DUMMY_HASH, "not-a-real-password")  # the check itself is unchanged
