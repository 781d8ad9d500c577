"""Small defects a fresh-eyes walk found on staff and resident pages (each test failed before its fix):
- references were cut by hand in some staff templates (`reference[:4]`) and by the filter in others;
- the agent's caller page gave a visit's time in its own words ("9am to 11am"), not "arriving between";
- the agent's email field for a new caller was a plain text field;
- "Your appointment is now ..." on the change-time page read as if it had just moved;
- the interpreter hint at a hub said "We will send an officer", where the resident comes to the hub."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from app.appointments.links import manage_url
from app.appointments.presenters import when
from app.booking.booking_request import CustomerDetails
from app.extensions import db
from app.models import Address
from tests.booking_helpers import MONDAY, NOW, at, book_first_slot, world_with_a_street
from tests.factories import AppointmentFactory, CustomerFactory
from tests.pages import home_visit_times, submit_form

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
JO = CustomerDetails(name="Jo Bloggs", phone="+447700900123", preferred_channel="sms", sms_consent=True)


def _input(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


def _open_manage_link(client, appointment) -> None:
    client.get(re.sub(r"^https?://[^/]+", "", manage_url(appointment)))


# 3. One way to show a reference on staff pages --------------------------------------------------------


def test_templates_show_references_through_the_one_filter_not_cut_by_hand():
    """The re-plan and call list pages cut "T000-03" by hand while others used `|reference`: two ways to
    do one thing, and only the filter leaves a reference of another length whole."""
    by_hand = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "reference[:4]" in line or "format_reference(" in line
    ]
    assert by_hand == []


# 4. The agent's caller page words a visit's time as every other page does ------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_agent_s_caller_page_says_arriving_between_like_every_other_page(client, sign_in):
    world = world_with_a_street()
    customer = CustomerFactory(name="Priya Shah")
    window = AppointmentFactory(
        service=world.service, customer=customer, window_start=at(9), window_end=at(11)
    )
    exact = AppointmentFactory(
        service=world.service, customer=customer, window_start=at(14, day=MONDAY + timedelta(days=1))
    )
    exact.window_end = exact.window_start
    db.session.commit()
    sign_in("agent")
    page = " ".join(client.get(f"/agent/customers/{customer.id}").get_data(as_text=True).split())
    assert "Monday 7 December 2026, arriving between 9am and 11am · " in page
    assert "Tuesday 8 December 2026 at 2pm · " in page
    assert "9am to 11am" not in page
    assert when(window) in page and when(exact) in page


# 5. The agent's email field follows the GOV.UK email pattern -------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_agent_s_email_field_for_a_caller_is_an_email_field(client, sign_in):
    customer = CustomerFactory(email="priya@example.com")
    db.session.commit()
    sign_in("agent")
    for url in ("/agent/callers/new", f"/agent/customers/{customer.id}/edit"):
        field = _input(client.get(url).get_data(as_text=True), "email")
        assert 'type="email"' in field and 'spellcheck="false"' in field, url
        # the caller's address, not the agent's: the browser must not offer the agent's own
        assert 'autocomplete="off"' in field, url


# 6. "Your appointment is now ..." read as if it had just moved ----------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("en", "Your appointment is booked for {when}. It stays at that time until you choose a new one."),
        ("pl", "Twoja wizyta jest zarezerwowana na: {when}. Pozostaje w tym terminie, dopóki nie wybierzesz"),
        ("ne", "तपाईंको भेट {when} का लागि बुक गरिएको छ।"),
    ],
)
def test_the_change_time_page_says_when_the_appointment_is_booked_for(client, locale, said):
    world = world_with_a_street("SN10 1AA")
    appointment = book_first_slot(world, JO)
    db.session.commit()
    client.get(f"/language/{locale}")
    _open_manage_link(client, appointment)
    page = " ".join(client.get("/manage/booking/change").get_data(as_text=True).split())
    assert said.format(when=when(appointment, locale)) in page
    assert "is now" not in page and "jest teraz" not in page and "अहिले" not in page


# 7. The interpreter hint at a hub: the resident comes to the officer ---------------------------------

SENT = "We will send an officer who speaks your language if we can, or book an interpreter"
AT_HUB = "We will arrange an officer who speaks your language if we can, or book an interpreter"


def _details_page(client, world, where: str) -> str:
    submit_form(client, "/book/service", {"service": world.service.code})
    if where == "hub":
        submit_form(client, "/book/where", {"location_type": "hub"})
        submit_form(client, "/book/postcode", {"postcode": "SN10 1AA"})
        submit_form(client, "/book/hub", {"hub": world.hub.code})
        times = client.get("/book/time").get_data(as_text=True)
    else:
        address = db.session.query(Address).filter_by(postcode="SN10 1AA").one()
        times = home_visit_times(client, world.service.code, "SN10 1AA", address.id)
    slot = re.findall(r'name="slot" type="radio" value="([^"]+)"', times)[0]
    assert submit_form(client, "/book/time", {"slot": slot}).headers["Location"] == "/book/details"
    return client.get("/book/details").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("where", "hint", "not_said"), [("hub", AT_HUB, SENT), ("home", SENT, AT_HUB)])
def test_the_interpreter_hint_when_booking_is_worded_for_the_place(client, where, hint, not_said):
    world = world_with_a_street("SN10 1AA")
    page = _details_page(client, world, where)
    assert hint in page and not_said not in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("locale", "hint"),
    [
        ("en", AT_HUB),
        ("pl", "Jeśli to możliwe, zapewnimy pracownika mówiącego w Twoim języku"),
        ("ne", "सकेसम्म तपाईंको भाषा बोल्ने अधिकारीको व्यवस्था गर्नेछौं"),
    ],
)
def test_the_hub_booking_s_needs_page_does_not_say_an_officer_is_sent(client, locale, hint):
    world = world_with_a_street("SN10 1AA")
    at_hub = book_first_slot(world, JO, place=world.hub_place())
    db.session.commit()
    client.get(f"/language/{locale}")
    _open_manage_link(client, at_hub)
    page = client.get("/manage/booking/needs").get_data(as_text=True)
    assert hint in page
    assert SENT not in page and "przyślemy" not in page and "पठाउनेछौं" not in page
