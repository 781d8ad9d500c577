"""The resident journey works end to end without JavaScript, and never books twice."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.extensions import db
from app.models import Address, Appointment
from tests.booking_helpers import NOW, World
from tests.pages import csrf_token, submit_form


@pytest.fixture
def world():
    """A bookable service with an officer, and two addresses at SN10 1AA in the gazetteer."""
    world = World()
    _address()
    db.session.commit()
    return world


def _address():
    db.session.add(
        Address(
            uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99
        )
    )
    db.session.add(
        Address(
            uprn="100124",
            line1="14 High Street",
            town="Devizes",
            postcode="SN10 1AA",
            lat=51.3551,
            lng=-1.9901,
        )
    )


def _first_slot(html: str) -> str:
    return re.search(r'name="slot" type="radio" value="([^"]+)"', html).group(1)


def _journey_to_check(client, world, name="Jo Bloggs", access_needs=""):
    assert (
        submit_form(client, "/book/service", {"service": world.service.code}).headers["Location"]
        == "/book/where"
    )
    assert (
        submit_form(client, "/book/where", {"location_type": "home"}).headers["Location"] == "/book/postcode"
    )
    assert (
        submit_form(client, "/book/postcode", {"postcode": "sn101aa"}).headers["Location"] == "/book/address"
    )
    address = db.session.query(Address).filter_by(uprn="100123").one()
    assert (
        submit_form(client, "/book/address", {"address": str(address.id)}).headers["Location"] == "/book/time"
    )
    time_page = client.get("/book/time")
    html = time_page.get_data(as_text=True)
    assert re.search(r"<legend[^>]*>\s*Monday 7 December\s*</legend>", html) and "9am to 11am" in html
    slot = _first_slot(html)
    response = client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(html)})
    assert response.headers["Location"] == "/book/details"
    response = submit_form(
        client,
        "/book/details",
        {
            "name": name,
            "phone": "07700 900123",
            "preferred_channel": "sms",
            "interpreter_language": "Polish",
            "access_needs": access_needs,
        },
    )
    assert response.headers["Location"] == "/book/check"


@time_machine.travel(NOW, tick=False)
def test_resident_books_a_home_visit_end_to_end(client, world):
    _journey_to_check(client, world)
    check = client.get("/book/check")
    html = check.get_data(as_text=True)
    assert "Jo Bloggs" in html and "12 High Street, Devizes, SN10 1AA" in html and "Polish" in html
    assert "Proof of identity" in html  # what to have ready
    response = client.post("/book/check", data={"csrf_token": csrf_token(html)})
    assert response.headers["Location"] == "/book/confirmation"
    confirmation = client.get("/book/confirmation").get_data(as_text=True)
    appointment = db.session.query(Appointment).one()
    shown = f"{appointment.reference[:4]}-{appointment.reference[4:]}"
    assert shown in confirmation
    assert "arriving between 9am and 11am" in confirmation
    assert world.officers[0].first_name in confirmation
    assert "Add to your calendar" in confirmation and "Manage your appointment" in confirmation
    assert appointment.customer.phone == "+447700900123" and appointment.interpreter_language == "Polish"
    assert appointment.channel == "web"


@time_machine.travel(NOW, tick=False)
def test_submitting_twice_books_once(client, world):
    _journey_to_check(client, world)
    html = client.get("/book/check").get_data(as_text=True)
    token = csrf_token(html)
    first = client.post("/book/check", data={"csrf_token": token})
    second = client.post("/book/check", data={"csrf_token": token})  # back button, submit again
    assert first.status_code == 302 and second.status_code == 302
    assert db.session.query(Appointment).count() == 1


@time_machine.travel(NOW, tick=False)
def test_change_link_returns_to_check_your_answers(client, world):
    _journey_to_check(client, world)
    response = submit_form(
        client,
        "/book/details?change=1",
        {"name": "Jo Changed", "phone": "07700900123", "preferred_channel": "sms"},
    )
    assert response.headers["Location"] == "/book/check"
    assert "Jo Changed" in client.get("/book/check").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_bad_input_gets_govuk_error_messages(client, world):
    empty = submit_form(client, "/book/service", {})
    assert "Select the service you need" in empty.get_data(as_text=True)
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    bad = submit_form(client, "/book/postcode", {"postcode": "not a postcode"})
    assert "Enter a real postcode" in bad.get_data(as_text=True)
    unknown = submit_form(client, "/book/postcode", {"postcode": "ZZ1 1ZZ"})
    html = unknown.get_data(as_text=True)
    assert "We do not recognise that postcode" in html and "Book at a community hub instead" in html
    assert "0300 456 0100" in html
    # A service only visited at home: no hub to suggest, and a real postcode elsewhere is not "unknown".
    world.service.at_hub = False
    db.session.commit()
    elsewhere = submit_form(client, "/book/postcode", {"postcode": "SW1A 1AA"}).get_data(as_text=True)
    assert "We cannot find that postcode in the Wiltshire Council area" in elsewhere
    summary = elsewhere.split('class="govuk-error-summary"')[1].split("</div>")[0]
    assert "We cannot find that postcode" in summary and "community hub" not in summary


@time_machine.travel(NOW, tick=False)
def test_details_validation(client, world):
    _journey_to_check(client, world)
    response = submit_form(
        client,
        "/book/details",
        {"name": "", "phone": "0138 0123", "email": "nope", "preferred_channel": "email"},
    )
    html = response.get_data(as_text=True)
    assert "Enter your full name" in html
    assert "Enter a UK phone number" in html
    assert "Enter an email address in the correct format" in html


def test_premises_only_services_are_signposted(client):
    from tests.factories import ServiceFactory

    ServiceFactory(
        code="registration",
        name="Registering a birth",
        premises_only=True,
        signpost="Go to the register office in Trowbridge.",
    )
    db.session.commit()
    response = submit_form(client, "/book/service", {"service": "registration"})
    assert response.headers["Location"] == "/book/signpost/registration"
    assert "register office in Trowbridge" in client.get("/book/signpost/registration").get_data(as_text=True)


def test_jumping_ahead_goes_back_to_the_first_question(client):
    assert client.get("/book/time").headers["Location"] == "/book/service"
    assert client.get("/book/check").headers["Location"] == "/book/service"


@time_machine.travel(NOW, tick=False)
def test_resident_cancels_and_moves_from_the_manage_link(client, world):
    _journey_to_check(client, world)
    html = client.get("/book/check").get_data(as_text=True)
    client.post("/book/check", data={"csrf_token": csrf_token(html)})
    confirmation = client.get("/book/confirmation").get_data(as_text=True)
    manage = re.search(r'href="https?://[^/"]+(/manage/[^"]+)"', confirmation).group(1)
    assert client.get(manage).headers["Location"] == "/manage/booking"
    change = client.get("/manage/booking/change").get_data(as_text=True)
    slots = re.findall(r'name="slot" type="radio" value="([^"]+)"', change)
    response = client.post(
        "/manage/booking/change", data={"slot": slots[-1], "csrf_token": csrf_token(change)}
    )
    assert response.headers["Location"] == "/manage/booking?moved=1"
    appointment = db.session.query(Appointment).one()
    assert appointment.sequence == 1 and [e.status for e in appointment.events] == ["booked", "rescheduled"]
    response = submit_form(client, "/manage/booking/cancel", {"reason": "Sorted it out"})
    assert "Appointment cancelled" in response.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.status == "cancelled" and appointment.cancel_reason == "Sorted it out"


@time_machine.travel(NOW, tick=False)
def test_find_booking_needs_reference_surname_and_postcode(client, world):
    _journey_to_check(client, world)
    html = client.get("/book/check").get_data(as_text=True)
    client.post("/book/check", data={"csrf_token": csrf_token(html)})
    reference = db.session.query(Appointment).one().reference
    wrong = submit_form(
        client, "/manage/find", {"reference": reference, "surname": "Smith", "postcode": "SN10 1AA"}
    )
    assert "We could not find a booking with those details" in wrong.get_data(as_text=True)
    right = submit_form(
        client,
        "/manage/find",
        {
            "reference": f"{reference[:4]}-{reference[4:].lower()}",
            "surname": "bloggs",
            "postcode": "sn10 1aa",
        },
    )
    assert right.headers["Location"] == "/manage/booking"
