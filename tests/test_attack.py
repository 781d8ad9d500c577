"""What an outsider's attack on the new features found (November 2026): each test failed before its fix.

- The booking journey's "you already have this appointment" warning linked to the existing booking's
  manage page for anyone who typed the same name and phone number: a stranger who knew them got the
  address, the officer's name, and the power to cancel or move the visit.
- An officer's "extend the visit" tap with a Unicode digit ("²") in the minutes was a 500.
"""

from __future__ import annotations

import re

import time_machine

from app.extensions import db
from app.models import Address, Appointment
from app.services.availability import decode_slot
from tests.booking_helpers import NOW, World
from tests.pages import csrf_token


def _post(client, url, data):
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return client.post(url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def _book_home_visit(client, world, address, window=None, name="Jo Bloggs", phone="07700 900123"):
    """The resident journey up to the check page's answer; returns (response, the slot's window)."""
    client.get("/book/")
    _post(client, "/book/service", {"service": world.service.code})
    _post(client, "/book/where", {"location_type": "home"})
    _post(client, "/book/postcode", {"postcode": address.postcode})
    _post(client, "/book/address", {"address": str(address.id)})
    html = client.get("/book/time").get_data(as_text=True)
    tokens = re.findall(r'name="slot" type="radio" value="([^"]+)"', html)
    window_of = lambda t: (decode_slot(t).day, decode_slot(t).window)  # noqa: E731
    slot = tokens[0] if window is None else next(t for t in tokens if window_of(t) == window)
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(html)})
    _post(client, "/book/details", {"name": name, "phone": phone, "preferred_channel": "sms"})
    check = client.get("/book/check").get_data(as_text=True)
    return client.post("/book/check", data={"csrf_token": csrf_token(check)}), window_of(slot)


@time_machine.travel(NOW, tick=False)
def test_a_stranger_typing_the_same_name_and_phone_gets_no_link_to_the_booking(app, client):
    world = World(officers=2)
    address = Address(
        uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99
    )
    db.session.add(address)
    db.session.commit()
    booked, window = _book_home_visit(client, world, address)
    assert booked.headers["Location"] == "/book/confirmation"

    stranger = app.test_client()  # another browser: knows her name and number, nothing else
    response, _ = _book_home_visit(stranger, world, address, window=window)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "already have this appointment" in html
    assert "/manage/" not in html.replace('href="/manage/find"', "")  # only the find-your-booking page
    assert 'href="/manage/find"' in html
    # Nothing in the stranger's session reaches her booking either.
    assert stranger.get("/manage/booking").headers["Location"] == "/manage/find"
    assert db.session.query(Appointment).count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_same_browser_booking_twice_still_gets_the_link(client):
    world = World(officers=2)
    address = Address(
        uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99
    )
    db.session.add(address)
    db.session.commit()
    _booked, window = _book_home_visit(client, world, address)
    response, _ = _book_home_visit(client, world, address, window=window)
    html = response.get_data(as_text=True)
    assert re.search(r'href="[^"]*/manage/[^"]+">See your existing booking', html)
