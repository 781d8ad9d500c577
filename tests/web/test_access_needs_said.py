"""Where a resident told us of no access needs, every page that shows them says "None told to us": not
a blank, not a bare "None" (which reads as if nobody asked). One presenter (access_needs_said), one
filter (needs_said): the resident's check-answers and manage pages, the agent's caller page and the
officer's day."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine

from app.appointments.links import manage_url
from app.appointments.presenters import access_needs_said
from app.booking.booking_request import CustomerDetails
from app.extensions import db
from tests.booking_helpers import NOW, at, book_first_slot, world_with_a_street
from tests.factories import AppointmentFactory, CustomerFactory
from tests.pages import csrf_token, home_visit_times, submit_form
from tests.safety_helpers import officer_user, sign_in_as


@pytest.fixture
def world():
    return world_with_a_street("SN10 1AA")


def _needs_shown(html: str, key: str = "Access needs") -> str:
    row = re.search(
        rf'<dt class="govuk-summary-list__key">\s*{key}\s*</dt>\s*'
        r'<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>',
        html,
        re.S,
    )
    assert row, f"no {key} row"
    return unescape(" ".join(row.group(1).split()))


def test_the_presenter_keeps_what_was_said_and_names_nothing_said():
    assert access_needs_said("Uses a wheelchair") == "Uses a wheelchair"
    assert access_needs_said("") == access_needs_said(None) == access_needs_said("  ") == "None told to us"


def _to_check(client, world, needs: str = "") -> str:
    from app.models import Address

    address = db.session.query(Address).filter_by(postcode="SN10 1AA").one()
    page = home_visit_times(client, world.service.code, "SN10 1AA", address.id)
    slot = re.findall(r'name="slot" type="radio" value="([^"]+)"', page)[0]
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(page)})
    details = {
        "name": "Jo Bloggs",
        "phone": "07700 900123",
        "preferred_channel": "sms",
        "access_needs": needs,
    }
    submit_form(client, "/book/details", details)
    return client.get("/book/check").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_check_your_answers_says_none_told_to_us_or_what_was_told(client, world):
    assert _needs_shown(_to_check(client, world)) == "None told to us"
    other = client.application.test_client()
    assert _needs_shown(_to_check(other, world, "Needs a ramp")) == "Needs a ramp"


@time_machine.travel(NOW, tick=False)
def test_check_your_answers_in_polish(client, world):
    client.get("/language/pl")
    page = _to_check(client, world)
    assert _needs_shown(page, "Potrzeby dotyczące dostępności") == "Nie zgłoszono nam żadnych"


def test_the_manage_page_says_none_told_to_us(client, world):
    with time_machine.travel(NOW, tick=False):
        appointment = book_first_slot(
            world,
            CustomerDetails(
                name="Jo Bloggs", phone="+447700900123", preferred_channel="sms", sms_consent=True
            ),
        )
        db.session.commit()
        client.get(re.sub(r"^https?://[^/]+", "", manage_url(appointment)))
        page = client.get("/manage/booking").get_data(as_text=True)
    assert _needs_shown(page) == "None told to us"


@time_machine.travel(NOW, tick=False)
def test_the_agent_s_caller_page_says_none_told_to_us(client, sign_in, world):
    sign_in("agent")
    customer = CustomerFactory(name="Priya Shah", access_needs="")
    told = CustomerFactory(name="Sam Told", access_needs="Deaf: text, do not ring")
    db.session.commit()
    assert (
        _needs_shown(client.get(f"/agent/customers/{customer.id}").get_data(as_text=True))
        == "None told to us"
    )
    assert _needs_shown(client.get(f"/agent/customers/{told.id}").get_data(as_text=True)) == (
        "Deaf: text, do not ring"
    )


def test_the_officer_s_day_says_none_told_to_us_so_nothing_looks_left_out(client, world):
    user, officer = officer_user(world)
    AppointmentFactory(
        service=world.service, officer=officer, customer=CustomerFactory(), window_start=at(10)
    )
    db.session.commit()
    with time_machine.travel(at(9), tick=False):
        sign_in_as(client, user)
        day = client.get("/officer/").get_data(as_text=True)
    assert _needs_shown(day) == "None told to us"
