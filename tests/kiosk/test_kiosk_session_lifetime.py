"""A kiosk stays set up: its session cookie lasts kiosk_session.LIFETIME (180 days) from its last page,
survives the reset between people and the browser being closed (a cookie with an expiry), and is
HttpOnly, SameSite=Lax and Secure where cookies are. Staff and resident sessions keep the idle timeout,
and a kiosk idle past it keeps only its device (nothing of the last person)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import time_machine

from app.kiosk import kiosk as kiosks
from app.web import kiosk_session
from tests.factories import HubFactory
from tests.pages import csrf_token, set_up_kiosk

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _session_cookie(response):
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie(header)
        if "session" in cookie:
            return cookie["session"]
    return None


def _set_up(client):
    _device, token = kiosks.register(HubFactory(), "Reception kiosk")
    return set_up_kiosk(client, token)


def _is_kiosk(client) -> bool:
    page = client.get("/kiosk/")
    return page.status_code == 200


def test_the_cookie_lasts_the_stated_lifetime_and_is_http_only_and_same_site(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)  # as in production
    with time_machine.travel(START, tick=False):
        answer = _set_up(client)
    assert answer.status_code == 302
    cookie = _session_cookie(answer)
    assert cookie is not None and cookie["expires"], "a cookie without expiry ends with the browser"
    expires = datetime.strptime(cookie["expires"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert expires == START + kiosk_session.LIFETIME == START + timedelta(days=180)
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"


def test_the_kiosk_is_still_set_up_after_a_reset_and_a_long_weekend(client):
    with time_machine.travel(START, tick=False):
        _set_up(client)
        page = client.get("/kiosk/").get_data(as_text=True)
        reset = client.post("/kiosk/reset", data={"csrf_token": csrf_token(page)})
        assert reset.status_code == 302
        cookie = _session_cookie(reset)
        assert cookie is not None and cookie["expires"]  # still a lasting cookie after the reset
    with time_machine.travel(START + timedelta(days=3), tick=False):  # far past the staff idle timeout
        assert _is_kiosk(client)
    with time_machine.travel(START + timedelta(days=3 + 179), tick=False):  # each page renews it
        assert _is_kiosk(client)
    with time_machine.travel(START + timedelta(days=3 + 179 + 181), tick=False):
        assert not _is_kiosk(client)


def test_an_idle_kiosk_keeps_its_device_and_nothing_of_the_last_person(client):
    with time_machine.travel(START, tick=False):
        _set_up(client)
        with client.session_transaction() as session:
            session["book"] = {"name": "Jo Bloggs"}  # what a person left half-way through
    with time_machine.travel(START + timedelta(minutes=31), tick=False):
        assert _is_kiosk(client)
        with client.session_transaction() as session:
            assert "book" not in session and kiosk_session.DEVICE_KEY in session


def test_a_staff_session_still_ends_after_the_idle_timeout(client, sign_in):
    with time_machine.travel(START, tick=False):
        sign_in("agent")
        assert client.get("/agent/").status_code == 200
    with time_machine.travel(START + timedelta(minutes=31), tick=False):
        assert client.get("/agent/").status_code == 302  # to sign in
