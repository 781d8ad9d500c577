"""What a walk through the app as each persona found (a resident, a phone agent): each test failed before
its fix."""

from __future__ import annotations

import re

import time_machine

from app.extensions import db
from app.models import Appointment
from tests.booking_helpers import MONDAY, NOW, World
from tests.factories import CustomerFactory, HubFactory
from tests.pages import csrf_token, submit_form


def _slots(html):
    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


@time_machine.travel(NOW, tick=False)
def test_an_agent_books_onto_the_record_on_screen_even_when_another_has_the_same_name_and_phone(
    client, sign_in
):
    """Two records with one name and landline (a caller entered again as new): the booking belongs to
    the record the agent is looking at, which then lists it, not to the older one."""
    sign_in("agent")
    world = World()
    same = {
        "name": "Zofia Nowak",
        "phone": "+441225700100",
        "address_line1": "12 High Street",
        "postcode": "SN10 1AB",
        "lat": 51.355,
        "lng": -1.99,
    }
    older = CustomerFactory(**same)
    on_screen = CustomerFactory(**same)
    db.session.commit()
    url = f"/agent/customers/{on_screen.id}/book?service={world.service.code}&place=home"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={"csrf_token": csrf_token(page), "slot": _slots(page)[0], "preferred_channel": "post"},
    )
    assert response.status_code == 302
    appointment = db.session.query(Appointment).one()
    assert appointment.customer_id == on_screen.id != older.id
    record = client.get(f"/agent/customers/{on_screen.id}").get_data(as_text=True)
    assert appointment.reference[:4] in record and "None yet." not in record


def _to_details(client, world, first_day: str = ""):
    from app.models import Address

    db.session.add(
        Address(
            uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99
        )
    )
    db.session.commit()
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    address_id = re.search(
        r'name="address" type="radio" value="(\d+)"', client.get("/book/address").get_data(as_text=True)
    )
    submit_form(client, "/book/address", {"address": address_id.group(1)})
    html = client.get(f"/book/time?from={first_day}").get_data(as_text=True)
    client.post(
        "/book/time?from=" + first_day, data={"slot": _slots(html)[0], "csrf_token": csrf_token(html)}
    )


def _book_by_post(client, world, first_day: str = "") -> str:
    _to_details(client, world, first_day)
    response = submit_form(client, "/book/details", {"name": "Edith Pike", "preferred_channel": "post"})
    assert response.status_code == 302 and response.headers["Location"] == "/book/check"
    submit_form(client, "/book/check", {})
    return client.get("/book/confirmation").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_a_resident_with_no_phone_and_no_email_books_online_for_a_letter(client):
    """Letters reach the address: no phone number is needed (the API already took such bookings)."""
    confirmation = _book_by_post(client, World(), MONDAY.isoformat())
    appointment = db.session.query(Appointment).one()
    assert appointment.customer.phone == "" and appointment.customer.preferred_channel == "post"
    assert "We will post you a letter confirming your appointment" in confirmation


@time_machine.travel(NOW, tick=False)
def test_a_letter_that_would_arrive_too_late_is_not_promised(client):
    """The visit is in a day or two: no letter is written, so the page asks them to note the reference."""
    confirmation = _book_by_post(client, World())
    assert "We will post you a letter" not in confirmation
    assert "too soon for a letter" in confirmation


def test_a_tap_made_now_the_day_before_the_visit_gets_the_check_in_answer_with_javascript_too(
    client, configure
):
    """With JavaScript the tap carries its time; the evening before, the officer was told 'The time of
    the tap is before the day of the visit' instead of when they can check in (as without JavaScript)."""
    from datetime import date

    from tests.booking_helpers import at
    from tests.safety.test_officer_day import _post
    from tests.safety_helpers import officer_with_a_visit

    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, appointment = officer_with_a_visit(client, window_start=at(10))
    evening_before = at(21, 15, day=date(2026, 12, 6))
    with time_machine.travel(evening_before, tick=False):
        tap = _post(client, appointment, "arrived", accept_json=True, client_time=evening_before.isoformat())
    assert tap.status_code == 422 and "You can check in to this visit from" in tap.json["message"]


def test_the_postcode_step_for_a_hub_visit_finds_hubs_not_an_address(client):
    with client.session_transaction() as session:
        session["booking"] = {"service": "x", "location_type": "hub"}
    page = client.get("/book/postcode").get_data(as_text=True)
    assert "Find hubs near me" in page and "Find address" not in page
    with client.session_transaction() as session:
        session["booking"] = {"service": "x", "location_type": "home"}
    assert "Find address" in client.get("/book/postcode").get_data(as_text=True)


def test_the_start_page_names_the_hubs_that_have_a_kiosk(client):
    """It promised a kiosk at every hub; only some have one (Hub.has_kiosk, which the hub pages read too)."""
    HubFactory(name="Devizes community hub", code="devizes", has_kiosk=True)
    HubFactory(name="Tisbury community hub", code="tisbury", has_kiosk=False)
    HubFactory(name="Closed community hub", code="closed", has_kiosk=True, active=False)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "any of our 20 community hubs" not in page
    kiosks = page[page.index("self-service kiosk") :]
    kiosks = kiosks[: kiosks.index("</ul>")]
    assert re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', kiosks) == [
        ("/hubs/devizes", "Devizes community hub")
    ]
    client.get("/language/pl")
    assert "Możesz też skorzystać z kiosku samoobsługowego" in client.get("/").get_data(as_text=True)


def test_the_start_page_says_nothing_of_kiosks_when_no_hub_has_one(client):
    HubFactory(has_kiosk=False)
    db.session.commit()
    assert "kiosk" not in client.get("/").get_data(as_text=True)
