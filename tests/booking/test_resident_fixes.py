"""What residents hit in the booking journey (#18): search, postcodes, messages, times, dead ends,
reminders, finding a booking, duplicates."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.extensions import db
from app.models import Address
from tests.booking_helpers import NOW, World, book_first_slot, off_sick_for_months, world_with_a_street
from tests.factories import ServiceFactory
from tests.pages import csrf_token, home_visit_times, submit_form


@pytest.fixture
def world():
    return world_with_a_street()


def _radio_labels(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(r'class="govuk-label govuk-radios__label"[^>]*>([^<]*)<', html)
    ]


def test_searching_services_shows_only_the_matches_once(client, world):
    ServiceFactory(name="Council tax account and discounts", summary="Discounts")
    ServiceFactory(name="Missed bins and bulky waste", summary="Bins")
    db.session.commit()
    everything = _radio_labels(client.get("/book/service").get_data(as_text=True))
    assert "Council tax account and discounts" in everything
    found = _radio_labels(client.get("/book/service?q=bins").get_data(as_text=True))
    assert found == ["Missed bins and bulky waste"]


@time_machine.travel(NOW, tick=False)
def test_the_postcode_in_the_hint_is_accepted(client, world):
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    page = client.get("/book/postcode").get_data(as_text=True)
    example = re.search(r"For example, ([A-Z0-9 ]+?)\s*<", page).group(1)
    response = submit_form(client, "/book/postcode", {"postcode": example})
    assert response.status_code == 302 and response.headers["Location"] == "/book/address"


@time_machine.travel(NOW, tick=False)
def test_too_long_answers_get_messages_that_name_the_field(client, world):
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    page = submit_form(client, "/book/address", {"address": "manual", "line1": "x" * 201}).get_data(
        as_text=True
    )
    assert "Building and street must be 200 characters or less" in page
    assert "Field cannot be longer" not in page


def _to_details(client, world):
    address = db.session.query(Address).filter_by(uprn="100123").one()
    html = home_visit_times(client, world.service.code, "SN10 1AB", address.id)
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', html).group(1)
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(html)})


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"preferred_channel": "sms"}, "Enter a mobile number so we can text you reminders"),
        ({"preferred_channel": "sms", "phone": "01380 722000"}, "Enter a mobile number for text reminders"),
        ({"preferred_channel": "email"}, "Enter an email address so we can email you reminders"),
        ({"preferred_channel": "none"}, "Enter a phone number so we can contact you"),
    ],
)
def test_the_reminder_chosen_needs_its_contact_detail(client, world, answers, message):
    _to_details(client, world)
    response = submit_form(client, "/book/details", {"name": "Jo Bloggs", **answers})
    assert response.status_code == 200 and message in response.get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_a_landline_is_kept_for_calls_and_nothing_claims_a_text_was_sent(client, world):
    _to_details(client, world)
    response = submit_form(
        client, "/book/details", {"name": "Jo Bloggs", "phone": "01380 722000", "preferred_channel": "none"}
    )
    assert response.headers["Location"] == "/book/check"
    html = client.get("/book/check").get_data(as_text=True)
    client.post("/book/check", data={"csrf_token": csrf_token(html)})
    confirmation = client.get("/book/confirmation").get_data(as_text=True)
    assert "We have also sent it to you" not in confirmation
    from app.models import Appointment

    assert db.session.query(Appointment).one().customer.phone == "+441380722000"


@time_machine.travel(NOW, tick=False)
def test_the_confirmation_page_says_how_the_link_was_sent(client, world):
    _to_details(client, world)
    submit_form(
        client, "/book/details", {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "sms"}
    )
    html = client.get("/book/check").get_data(as_text=True)
    client.post("/book/check", data={"csrf_token": csrf_token(html)})
    assert "We have also sent it to you by text message" in client.get("/book/confirmation").get_data(
        as_text=True
    )


def _book_at(world, name: str, *, hub: bool = False, postcode: str = ""):
    from app.booking.booking_request import CustomerDetails

    place = world.hub_place() if hub else world.home()
    appointment = book_first_slot(
        world,
        CustomerDetails(name=name, phone="07700900123", preferred_channel="none", home_postcode=postcode),
        place,
    )
    db.session.commit()
    return appointment


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("typed", ["Ellis Jones", "jones", "Ellis-Jones", "ÉLLIS JONES"])
def test_a_booking_is_found_by_any_form_of_the_surname(client, world, typed):
    appointment = _book_at(world, "Mair Ellis Jones")
    response = submit_form(
        client, "/manage/find", {"reference": appointment.reference, "surname": typed, "postcode": "SN10 1AA"}
    )
    assert response.headers.get("Location") == "/manage/booking", typed


@time_machine.travel(NOW, tick=False)
def test_a_surname_that_is_only_a_middle_name_does_not_find_it(client, world):
    appointment = _book_at(world, "Mair Ellis Jones")
    response = submit_form(
        client,
        "/manage/find",
        {"reference": appointment.reference, "surname": "Ellis", "postcode": "SN10 1AA"},
    )
    assert "We could not find a booking" in response.get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_accents_need_not_match(client, world):
    appointment = _book_at(world, "Siân Ó Dálaigh")
    response = submit_form(
        client,
        "/manage/find",
        {"reference": appointment.reference, "surname": "o dalaigh", "postcode": "SN10 1AA"},
    )
    assert response.headers.get("Location") == "/manage/booking"


@time_machine.travel(NOW, tick=False)
def test_a_hub_booking_is_found_by_the_residents_own_postcode(client, world):
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    submit_form(client, "/book/hub", {"hub": world.hub.code})
    html = client.get("/book/time").get_data(as_text=True)
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', html).group(1)
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(html)})
    submit_form(
        client, "/book/details", {"name": "Jo Hubb", "phone": "07700 900123", "preferred_channel": "sms"}
    )
    html = client.get("/book/check").get_data(as_text=True)
    client.post("/book/check", data={"csrf_token": csrf_token(html)})
    from app.models import Appointment

    appointment = db.session.query(Appointment).one()
    assert appointment.hub_id == world.hub.id
    client.get("/manage/signed-out")
    response = submit_form(
        client,
        "/manage/find",
        {"reference": appointment.reference, "surname": "Hubb", "postcode": "sn10 1ab"},
    )
    assert response.headers.get("Location") == "/manage/booking"


@time_machine.travel(NOW, tick=False)
def test_booking_the_same_thing_twice_warns_and_links_to_the_first(client):
    from app.booking.availability import decode_slot
    from app.models import Appointment

    world = World(officers=2)
    db.session.add(
        Address(
            uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99
        )
    )
    db.session.commit()
    chosen = None
    for _attempt in range(2):
        client.get("/book/")
        submit_form(client, "/book/service", {"service": world.service.code})
        submit_form(client, "/book/where", {"location_type": "home"})
        submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
        address = db.session.query(Address).filter_by(uprn="100123").one()
        submit_form(client, "/book/address", {"address": str(address.id)})
        html = client.get("/book/time").get_data(as_text=True)
        tokens = re.findall(r'name="slot" type="radio" value="([^"]+)"', html)
        window = lambda t: (decode_slot(t).day, decode_slot(t).window)  # noqa: E731
        slot = tokens[0] if chosen is None else next(t for t in tokens if window(t) == chosen)
        chosen = window(slot)
        client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(html)})
        submit_form(
            client,
            "/book/details",
            {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "sms"},
        )
        check = client.get("/book/check").get_data(as_text=True)
        response = client.post("/book/check", data={"csrf_token": csrf_token(check)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "You already have this appointment" in html
    assert re.search(r'href="[^"]*/manage/[^"]+">See your existing booking', html)
    assert db.session.query(Appointment).count() == 1
    anyway = client.post("/book/check", data={"csrf_token": csrf_token(html), "again": "1"})
    assert anyway.headers["Location"] == "/book/confirmation"
    assert db.session.query(Appointment).count() == 2


def _hub_journey(client, world, hub_code):
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    return submit_form(client, "/book/hub", {"hub": hub_code})


@time_machine.travel(NOW, tick=False)
def test_hub_times_come_a_few_days_at_a_time(client, world):
    _hub_journey(client, world, world.hub.code)
    page = client.get("/book/time").get_data(as_text=True)
    days = re.findall(
        r'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">\s*([^<]+?)\s*<', page
    )
    assert 1 < len(days) < 6 and len(re.findall(r'name="slot" type="radio"', page)) <= 40
    later = re.search(r'href="(/book/time\?from=[^"]+)">Show later dates', page).group(1)
    next_page = client.get(later).get_data(as_text=True)
    next_days = re.findall(r'govuk-fieldset__legend--s">\s*([^<]+?)\s*<', next_page)
    assert next_days and not set(next_days) & set(days) and "Show the earliest dates" in next_page


@pytest.fixture
def far_world():
    """No officer is free in the resident's area (the one who serves it is off sick for months); one
    serves a second area with its own hub nearby."""
    from tests.factories import AreaFactory, HubFactory, OfficerFactory

    world = World(officers=0)
    off_sick_for_months(world)
    other = AreaFactory(lat=51.30, lng=-2.05)
    OfficerFactory(skills=[world.skill], areas=[other], base_lat=51.30, base_lng=-2.05)
    world.other_hub = HubFactory(area=other, lat=51.30, lng=-2.05, name="Melksham hub")
    db.session.add(
        Address(
            uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99
        )
    )
    db.session.commit()
    return world


@time_machine.travel(NOW, tick=False)
def test_no_times_at_a_hub_offers_the_nearest_hub_with_times(client, far_world):
    _hub_journey(client, far_world, far_world.hub.code)
    page = client.get("/book/time").get_data(as_text=True)
    assert "There are no appointments free at" in page and "Book at Melksham hub instead" in page
    response = client.post(
        "/book/time/at-hub", data={"hub": far_world.other_hub.code, "csrf_token": csrf_token(page)}
    )
    times = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="slot" type="radio"' in times and "Melksham hub" in times


@time_machine.travel(NOW, tick=False)
def test_no_home_visits_offers_a_hub_and_the_waiting_list(client, far_world):
    from app.models import Customer, WaitlistEntry

    submit_form(client, "/book/service", {"service": far_world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    address = db.session.query(Address).filter_by(uprn="100123").one()
    submit_form(client, "/book/address", {"address": str(address.id)})
    page = client.get("/book/time").get_data(as_text=True)
    assert "Book at Melksham hub instead" in page and "Join the waiting list" in page
    joined = submit_form(
        client, "/book/waitlist", {"name": "Jo Wait", "phone": "07700 900123", "times": "morning"}
    )
    assert "You are on the waiting list" in joined.get_data(as_text=True)
    entry = db.session.query(WaitlistEntry).one()
    assert entry.times == "morning" and entry.service_id == far_world.service.id
    customer = db.session.get(Customer, entry.customer_id)
    assert (
        customer.phone == "+447700900123"
        and customer.sms_consent
        and customer.address_line1 == "12 High Street"
    )


def test_the_beta_banner_links_to_feedback(client):
    start = client.get("/").get_data(as_text=True)
    banner = start[start.index("govuk-phase-banner") :]
    assert re.search(r'<a class="govuk-link" href="/feedback">give your feedback</a>', banner)
    page = client.get("/feedback").get_data(as_text=True)
    assert "mailto:doorstep-feedback@council.example" in page


@time_machine.travel(NOW, tick=False)
def test_an_exact_time_for_a_home_visit_where_the_service_allows_it(client, world):
    from app.models import Appointment

    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    address = db.session.query(Address).filter_by(uprn="100123").one()
    submit_form(client, "/book/address", {"address": str(address.id)})
    assert "Choose an exact time" not in client.get("/book/time").get_data(as_text=True)
    world.service.exact_times = True
    db.session.commit()
    page = client.get("/book/time").get_data(as_text=True)
    assert "Choose an exact time" in page
    exact = client.get("/book/time?exact=1").get_data(as_text=True)
    labels = _radio_labels(exact)
    assert "9:30am" in labels and not any(" to " in label for label in labels)
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', exact).group(1)
    client.post("/book/time?exact=1", data={"slot": slot, "csrf_token": csrf_token(exact)})
    submit_form(
        client, "/book/details", {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "sms"}
    )
    check = client.get("/book/check").get_data(as_text=True)
    assert re.search(r"2026 at \d{1,2}(:\d\d)?[ap]m", check)  # as the confirmation says it
    client.post("/book/check", data={"csrf_token": csrf_token(check)})
    appointment = db.session.query(Appointment).one()
    assert appointment.window_start == appointment.window_end


@time_machine.travel(NOW, tick=False)
def test_a_business_books_online_with_its_name_type_and_premises(client, world):
    from app.models import Appointment

    world.service.at_business = True
    db.session.commit()
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "business"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    address = db.session.query(Address).filter_by(uprn="100123").one()
    submit_form(client, "/book/address", {"address": str(address.id)})
    html = client.get("/book/time").get_data(as_text=True)
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', html).group(1)
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(html)})
    details = {"name": "Ann Baker", "phone": "07700 900123", "preferred_channel": "sms"}
    missing = submit_form(client, "/book/details", details)
    assert "Enter the name of the business" in missing.get_data(as_text=True)
    submit_form(
        client, "/book/details", details | {"business_name": "Baker's Bakes", "business_type": "Bakery"}
    )
    check = client.get("/book/check").get_data(as_text=True)
    assert "Baker&#39;s Bakes, Bakery" in check
    client.post("/book/check", data={"csrf_token": csrf_token(check)})
    customer = db.session.query(Appointment).one().customer
    assert (customer.kind, customer.business_name, customer.business_type) == (
        "business",
        "Baker's Bakes",
        "Bakery",
    )
    assert customer.premises_line1 == "12 High Street" and customer.premises_postcode == "SN10 1AB"
