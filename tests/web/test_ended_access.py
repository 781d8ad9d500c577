"""Access that has ended stays ended (#15.5, #15.6, #15.7): a leaver's calendar feed, a session cookie
copied before sign-out or a new password, and a kiosk activation link opened a second time."""

from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.models import KioskDevice
from app.officers import calendar_feed
from tests.booking_helpers import NOW, World
from tests.factories import AppointmentFactory, UserFactory
from tests.pages import csrf_token, set_up_kiosk, sign_out

# Calendar feeds (#15.5) ----------------------------------------------------------------------------


def _feed(client):
    world = World()
    officer = world.officers[0]
    officer.user = UserFactory(role="officer")
    AppointmentFactory(service=world.service, officer=officer, window_start=NOW + timedelta(days=1))
    token = calendar_feed.issue_token(officer)
    db.session.commit()
    url = f"/calendar/officer/{token}.ics"
    assert client.get(url).status_code == 200
    return officer, url


def test_a_calendar_feed_stops_when_the_officers_sign_in_is_switched_off(client):
    officer, url = _feed(client)
    officer.user.active = False
    db.session.commit()
    assert client.get(url).status_code == 404


def test_a_calendar_feed_stops_when_the_officer_is_switched_off(client):
    officer, url = _feed(client)
    officer.active = False
    db.session.commit()
    assert client.get(url).status_code == 404


# Sessions (#15.6) ---------------------------------------------------------------------------------


def _copied_session(client, sign_in):
    user = sign_in("supervisor")
    assert client.get("/admin/services").status_code == 200
    thief = client.application.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/admin/services").status_code == 200  # a copy works while the session lasts
    return user, thief


def test_a_session_cookie_copied_before_sign_out_stops_working(client, sign_in):
    _user, thief = _copied_session(client, sign_in)
    sign_out(client)
    response = thief.get("/admin/services")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_session_cookie_copied_before_a_password_reset_stops_working(app, client, sign_in):
    user, thief = _copied_session(client, sign_in)
    result = app.test_cli_runner().invoke(args=["users", "password", "--email", user.email])
    assert result.exit_code == 0, result.output
    assert thief.get("/admin/services").status_code == 302
    assert client.get("/admin/services").status_code == 302  # the user signs in again with it


# Kiosk activation (#15.7) --------------------------------------------------------------------------


def test_a_kiosk_activation_link_works_once(client):
    world = World()
    device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    first, second = client.application.test_client(), client.application.test_client()
    assert set_up_kiosk(first, token).status_code == 302
    assert set_up_kiosk(second, token).status_code == 403
    assert second.get("/kiosk/").status_code == 403
    assert first.get("/kiosk/").status_code == 200  # the kiosk that used it stays one


def test_opening_a_kiosk_link_only_asks_so_link_scanners_and_previews_do_not_use_it_up(client):
    world = World()
    device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    scanner, screen = client.application.test_client(), client.application.test_client()
    for _fetch in range(2):  # a mail scanner, then the mail app's preview
        page = scanner.get(f"/kiosk/activate/{token}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and f"Set up this device as the kiosk for {world.hub.name}?" in html
        assert "Reception kiosk" in html
    assert scanner.get("/kiosk/").status_code == 403  # fetching the link made nothing a kiosk
    assert scanner.post(f"/kiosk/activate/{token}").status_code == 400  # no CSRF token: refused
    db.session.expire_all()
    assert not db.session.get(KioskDevice, device.id).set_up
    assert set_up_kiosk(screen, token).headers["Location"] == "/kiosk/"  # pressing the button sets it up
    assert screen.get("/kiosk/").status_code == 200
    used = scanner.get(f"/kiosk/activate/{token}")
    assert used.status_code == 403 and "already been used" in used.get_data(as_text=True)
    expired = scanner.get("/kiosk/activate/not-a-real-link")
    assert expired.status_code == 403 and "This kiosk is not set up" in expired.get_data(as_text=True)


def test_a_new_activation_link_moves_the_kiosk_to_another_browser(client, sign_in):
    world = World()
    device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    old_screen = client.application.test_client()
    set_up_kiosk(old_screen, token)
    sign_in("admin")
    page = client.get("/admin/kiosks").get_data(as_text=True)
    html = client.post(
        "/admin/kiosks", data={"relink": str(device.id), "csrf_token": csrf_token(page)}
    ).get_data(as_text=True)
    path = re.search(r'<code class="app-break-all">https?://[^/<]+(/kiosk/activate/[^<]+)</code>', html)
    new_screen = client.application.test_client()
    assert set_up_kiosk(new_screen, path.group(1)).status_code == 302
    assert new_screen.get("/kiosk/").status_code == 200
    assert old_screen.get("/kiosk/").status_code == 403
