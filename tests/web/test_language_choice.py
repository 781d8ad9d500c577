"""Choosing a language: a link on residents' pages, kept in the session, never on staff pages; an agent
records a caller's language; a link from a text opens in the language the text was in."""

from __future__ import annotations

import re

import time_machine

from app.appointments.links import manage_url
from app.extensions import db
from app.i18n import gettext_for
from app.models import Address, Appointment, Message
from tests.booking_helpers import NOW, World
from tests.factories import AppointmentFactory, CustomerFactory
from tests.pages import csrf_token

POLISH_START = gettext_for("pl")("Book a face-to-face appointment with the council")


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def test_the_language_link_keeps_the_choice_and_goes_back_to_the_page(client):
    response = client.get("/language/pl", query_string={"next": "/manage/find"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/manage/find")
    page = client.get("/").get_data(as_text=True)
    assert _lang(page) == "pl" and POLISH_START in page
    assert 'hreflang="ne"' in page and 'lang="ne"' in page  # each language offered in its own name


def test_the_language_link_never_leads_to_another_site_and_ignores_unknown_languages(client):
    response = client.get("/language/xx", query_string={"next": "//evil.example/"})
    assert response.headers["Location"].endswith("/") and "evil" not in response.headers["Location"]
    assert _lang(client.get("/").get_data(as_text=True)) == "en"


def test_the_browser_language_is_used_until_the_resident_chooses(client):
    page = client.get("/", headers={"Accept-Language": "ne, en;q=0.5"}).get_data(as_text=True)
    assert _lang(page) == "ne"
    client.get("/language/en")
    assert _lang(client.get("/", headers={"Accept-Language": "ne"}).get_data(as_text=True)) == "en"


def test_staff_pages_stay_in_english(client, sign_in):
    sign_in("agent")
    client.get("/language/pl")
    page = client.get("/agent/", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert _lang(page) == "en" and "app-language-switcher" not in page


@time_machine.travel(NOW, tick=False)
def test_a_link_from_a_text_opens_in_the_residents_language(client):
    world = World()
    customer = CustomerFactory(locale="ne")
    appointment = AppointmentFactory(service=world.service, customer=customer, window_start=NOW)
    db.session.commit()
    client.get(manage_url(appointment, external=False))
    page = client.get("/manage/booking").get_data(as_text=True)
    assert _lang(page) == "ne" and gettext_for("ne")("Your appointment") in page


@time_machine.travel(NOW, tick=False)
def test_an_agent_records_the_callers_language_and_the_confirmation_uses_it(client, sign_in):
    sign_in("agent")
    world = World()
    customer = CustomerFactory(lat=51.355, lng=-1.99, postcode="SN10 1AA", address_line1="12 High Street")
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home"
    page = client.get(url).get_data(as_text=True)
    slot = re.findall(r'name="slot" type="radio" value="([^"]+)"', page)[0]
    data = {"csrf_token": csrf_token(page), "slot": slot, "preferred_channel": "sms", "sms_consent": "y"}
    assert client.post(url, data=data | {"locale": "pl"}).status_code == 302
    appointment = db.session.query(Appointment).one()
    assert appointment.customer.locale == "pl"
    (text, *_follow_up) = db.session.query(Message).filter_by(kind="confirmation").order_by(Message.id)
    assert "zarezerwowano wizyt" in text.body


@time_machine.travel(NOW, tick=False)
def test_an_api_client_sets_the_language_and_an_unknown_one_is_refused(client):
    from app.staff.tokens import create_token
    from tests.booking_helpers import api_booking
    from tests.factories import UserFactory

    world = World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    headers = {"Authorization": f"Bearer {create_token(UserFactory(role='agent'), 'tests')}"}
    db.session.commit()
    query = {"service": world.service.code, "location_type": "home", "postcode": "SN10 1AA", "days": "1"}
    slot = client.get("/api/v1/availability", query_string=query | {"from": "2026-12-07"}).get_json()[
        "slots"
    ][0]
    customer = {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "sms"}
    refused = client.post(
        "/api/v1/appointments",
        json=api_booking(world, slot["slot_id"], customer=customer | {"language": "xx"}),
        headers=headers,
    )
    assert refused.status_code == 422 and "customer.language" in refused.get_json()["errors"]
    booked = client.post(
        "/api/v1/appointments",
        json=api_booking(world, slot["slot_id"], customer=customer | {"language": "ne"}),
        headers=headers,
    )
    assert booked.status_code == 201, booked.get_json()
    assert db.session.query(Appointment).one().customer.locale == "ne"
