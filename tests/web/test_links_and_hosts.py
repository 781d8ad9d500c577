"""Every link the council sends starts with PUBLIC_BASE_URL; requests for unknown hosts are refused (#15.1).

An attacker who sends a booking or a cancellation with `Host: council-payments.evil.example` must not
get the council to text a resident a link to the attacker's site.
"""

from __future__ import annotations

import pytest
import time_machine

from app.booking import waitlist
from app.extensions import db
from app.models import Address, Appointment, Message, WaitlistOffer
from app.staff.tokens import create_token
from tests.booking_helpers import MONDAY, NOW, World
from tests.factories import AppointmentFactory, CustomerFactory, UserFactory
from tests.pages import csrf_token

EVIL = "council-payments.evil.example"
PUBLIC = "https://doorstep.council.example"


@pytest.fixture
def public_base(configure):
    configure(PUBLIC_BASE_URL=PUBLIC)


def _world() -> World:
    world = World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    db.session.commit()
    return world


def _booking(client, world, headers):
    query = {"service": world.service.code, "location_type": "home", "postcode": "SN10 1AA"}
    slot = client.get(
        "/api/v1/availability", query_string=query | {"from": "2026-12-07", "days": "1"}
    ).get_json()["slots"][0]["slot_id"]
    body = {
        "slot_id": slot,
        "service": world.service.code,
        "location_type": "home",
        "address": {"line1": "12 High Street", "town": "Devizes", "postcode": "SN10 1AA"},
        "customer": {"name": "Jo Bloggs", "phone": "07700 900123", "sms_consent": True},
    }
    return client.post("/api/v1/appointments", json=body, headers=headers)


def _bearer(role="agent"):
    secret = create_token(UserFactory(role=role), "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@time_machine.travel(NOW, tick=False)
def test_an_api_booking_sent_to_a_forged_host_is_refused_and_texts_nothing(client, public_base):
    world = _world()
    response = _booking(client, world, _bearer() | {"Host": EVIL})
    assert response.status_code == 400
    assert db.session.query(Appointment).count() == 0
    assert db.session.query(Message).count() == 0


def test_pages_for_unknown_hosts_are_refused(client):
    assert client.get("/", headers={"Host": EVIL}).status_code == 400
    assert client.get("/manage/find", base_url=f"http://{EVIL}").status_code == 400
    assert client.get("/").status_code == 200  # localhost is trusted outside production


@time_machine.travel(NOW, tick=False)
def test_links_in_texts_and_api_answers_start_with_public_base_url(client, public_base):
    world = _world()
    response = _booking(client, world, _bearer())  # the request came to http://localhost
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["manage_url"].startswith(f"{PUBLIC}/manage/")
    assert response.get_json()["ics_url"].startswith(f"{PUBLIC}/api/v1/appointments/")
    text = db.session.query(Message).filter_by(kind="confirmation", channel="sms").one()
    assert f"{PUBLIC}/manage/" in text.body and "localhost" not in text.body


@time_machine.travel(NOW, tick=False)
def test_a_cancellation_offers_the_waitlist_a_link_on_the_public_host(client, sign_in, public_base):
    sign_in("agent")
    world = World()
    booked = [
        AppointmentFactory(
            service=world.service,
            officer=world.officers[0],
            window_start=NOW.replace(day=7, hour=h),
            window_end=NOW.replace(day=7, hour=h + 2),
            duration_minutes=100,
        )
        for h in (9, 11, 13, 15)
    ]
    waiting = CustomerFactory(lat=51.355, lng=-1.99, phone="+447700900301", sms_consent=True)
    waitlist.join(waiting, world.service, world.area.id, MONDAY, MONDAY)
    db.session.commit()
    url = f"/agent/appointments/{booked[1].id}/cancel"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"reason": "Caller rang", "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert db.session.query(WaitlistOffer).count() == 1
    offer = db.session.query(Message).filter_by(kind="waitlist_offer").one()
    assert f"{PUBLIC}/waitlist/" in offer.body and "localhost" not in offer.body


def test_the_kiosk_activation_address_uses_the_public_host(client, sign_in, public_base):
    sign_in("admin")
    world = World()
    db.session.commit()
    page = client.get("/admin/kiosks").get_data(as_text=True)
    html = client.post(
        "/admin/kiosks",
        data={"hub_id": str(world.hub.id), "name": "Front desk", "csrf_token": csrf_token(page)},
    ).get_data(as_text=True)
    assert f"{PUBLIC}/kiosk/activate/" in html and "http://localhost/kiosk" not in html
