"""Phone numbers are links to dial on the pages people read on phones (walk finding): the officer's day
and visit pages give the resident's number, the residents' pages the contact centre's. One helper
(the phone_link filter) writes them: the number in E.164 in the href, the visible text as before. A
kiosk cannot dial, so it gets the number as text."""

from __future__ import annotations

import re

import time_machine

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.web.phone_links import tel_href
from tests.booking_helpers import NOW, World, at
from tests.factories import AppointmentFactory, CustomerFactory
from tests.pages import set_up_kiosk, submit_form
from tests.safety_helpers import officer_user, sign_in_as

CONTACT_CENTRE = '<a class="govuk-link" href="tel:+443004560100">0300 456 0100</a>'


def test_the_one_helper_gives_e164_and_leaves_what_cannot_be_dialled():
    assert tel_href("0300 456 0100") == "tel:+443004560100"
    assert tel_href("+447700900123") == "tel:+447700900123"
    assert tel_href("01225 713000") == "tel:+441225713000"
    assert tel_href("999") == "tel:999"
    assert tel_href("09098 790000") is None  # premium rate: never offered to dial
    assert tel_href("") is None


def test_resident_pages_link_the_contact_centre_number(client, configure):
    configure(contact_centre_phone="0300 456 0100")
    start = client.get("/").get_data(as_text=True)
    assert f"Phone {CONTACT_CENTRE}, Monday to Friday, 8:30am to 5:30pm." in start
    accessibility = client.get("/accessibility").get_data(as_text=True)
    assert CONTACT_CENTRE in accessibility
    polish = client.get("/?lang=pl").get_data(as_text=True)  # the same link inside the translated sentence
    assert CONTACT_CENTRE in polish


@time_machine.travel(NOW, tick=False)
def test_the_resident_journey_on_a_kiosk_gives_the_number_as_text_only(app, configure):
    configure(contact_centre_phone="0300 456 0100")
    world = World()
    _device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    kiosk = app.test_client()
    assert set_up_kiosk(kiosk, token).status_code == 302
    submit_form(kiosk, "/book/service", {"service": world.service.code})
    submit_form(kiosk, "/book/where", {"location_type": "home"})
    # A postcode the gazetteer does not know: "Other ways to book" gives the number.
    postcode = submit_form(kiosk, "/book/postcode", {"postcode": "SN10 9ZZ"}).get_data(as_text=True)
    assert "Phone 0300 456 0100, Monday to Friday" in postcode
    assert "tel:" not in postcode
    # The same page on a resident's own phone: a link.
    phone = app.test_client()
    submit_form(phone, "/book/service", {"service": world.service.code})
    submit_form(phone, "/book/where", {"location_type": "home"})
    mine = submit_form(phone, "/book/postcode", {"postcode": "SN10 9ZZ"}).get_data(as_text=True)
    assert f"Phone {CONTACT_CENTRE}, Monday to Friday" in mine


def test_the_officer_s_day_and_visit_pages_link_the_resident_s_number(client):
    world = World()
    user, officer = officer_user(world)
    resident = CustomerFactory(name="Jo Bloggs", phone="+447700900123")
    landline = CustomerFactory(name="Al Landline", phone="+441380722000")
    visit = AppointmentFactory(service=world.service, officer=officer, customer=resident, window_start=at(10))
    AppointmentFactory(service=world.service, officer=officer, customer=landline, window_start=at(14))
    db.session.commit()
    with time_machine.travel(at(9), tick=False):
        sign_in_as(client, user)
        day = client.get("/officer/").get_data(as_text=True)
        page = client.get(f"/officer/visits/{visit.id}").get_data(as_text=True)
    link = '<a class="govuk-link" href="tel:+447700900123">Call 07700 900123</a>'
    assert link in day and link in page
    assert '<a class="govuk-link" href="tel:+441380722000">Call 01380 722000</a>' in day
    # Every dialling link on the officer's pages goes through the helper: none is left without E.164
    # (the emergency number aside).
    for href in re.findall(r'href="tel:([^"]*)"', day + page):
        assert href == "999" or re.fullmatch(r"\+44\d{9,10}", href), href
