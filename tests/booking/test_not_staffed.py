"""Where nobody on the roster can ever do a service (no officer with the skill covers the area, or one
officer for a two-officer service), every channel says so before any date, offers the hubs that can,
nearest first, or the contact centre, and never the waiting list (app.booking.coverage.staffed_at).

The county: Devizes has officers, but none with the skill; Melksham and Trowbridge (further away) have
one each, with their own hubs."""

from __future__ import annotations

import re

import pytest
import time_machine
from openapi_core import OpenAPI

from app.extensions import db
from app.i18n import gettext_for
from app.models import Address, WaitlistEntry
from tests.api.test_api import _conforms
from tests.booking_helpers import NOW, World
from tests.factories import AreaFactory, CustomerFactory, HubFactory, OfficerFactory, ServiceFactory
from tests.pages import csrf_token, error_summary, field_error, submit_form

SLOT_RADIO = r'name="slot" type="radio"'


@pytest.fixture
def county():
    world = World(officers=0)
    world.area.name, world.hub.name = "Devizes", "Devizes hub"
    OfficerFactory(skills=[], areas=[world.area])  # Devizes has officers, none with the skill
    for name, lat, lng in (("Trowbridge", 51.319, -2.208), ("Melksham", 51.373, -2.138)):
        area = AreaFactory(name=name, lat=lat, lng=lng)
        OfficerFactory(skills=[world.skill], areas=[area], base_lat=lat, base_lng=lng)
        setattr(world, name.lower(), HubFactory(area=area, name=f"{name} hub", lat=lat, lng=lng))
    db.session.add(
        Address(
            uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99
        )
    )
    db.session.commit()
    return world


def _main(page) -> str:
    html = page.get_data(as_text=True) if hasattr(page, "get_data") else page
    return html[html.index("<main") :]


def _home_visit(client, world) -> str:
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    address = db.session.query(Address).filter_by(uprn="100123").one()
    submit_form(client, "/book/address", {"address": str(address.id)})
    return client.get("/book/time").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_a_resident_is_told_plainly_and_offered_the_nearest_hubs_and_the_phone_not_a_waiting_list(
    client, county, configure
):
    configure(contact_centre_phone="01225 713000")  # the council's number, from its settings
    page = _home_visit(client, county)
    main = _main(page)
    assert "We cannot visit this address for this service at the moment" in main
    assert "no waiting list to join" in main
    assert not re.search(SLOT_RADIO, main) and "Show later dates" not in main
    assert "Join the waiting list" not in main and "/book/waitlist" not in main
    assert (
        'Phone <a class="govuk-link" href="tel:+441225713000">01225 713000</a>, '
        "Monday to Friday, 8:30am to 5:30pm, and we will help." in main
    )
    # The hubs that can, nearest first (Melksham is about 6.5 miles away, Trowbridge about 10); never
    # the resident's own area's hub, where nobody can do it either.
    offered = re.findall(r"Book at ([A-Za-z ]+ hub) instead", main)
    assert offered == ["Melksham hub", "Trowbridge hub"]

    # The waiting list is not there to be found by its address either.
    assert client.get("/book/waitlist").headers["Location"] == "/book/time"
    client.post("/book/waitlist", data={"name": "Jo Wait", "phone": "07700 900123", "times": "any"})
    assert db.session.query(WaitlistEntry).count() == 0

    # "Book at Melksham hub instead": the same journey, with times there.
    moved = client.post(
        "/book/time/at-hub", data={"hub": county.melksham.code, "csrf_token": csrf_token(page)}
    )
    times = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert re.search(SLOT_RADIO, times) and "Melksham hub" in times


@time_machine.travel(NOW, tick=False)
def test_the_page_is_in_the_residents_language(client, county):
    client.get("/language/pl")
    main = _main(_home_visit(client, county))
    polish = gettext_for("pl")
    assert polish("We cannot visit this address for this service at the moment") in main
    assert polish("Book at %(hub)s instead") % {"hub": "Melksham hub"} in main
    assert "We cannot visit this address" not in main


@time_machine.travel(NOW, tick=False)
def test_the_hub_list_offers_only_hubs_that_can_staff_the_service_nearest_first(client, county):
    submit_form(client, "/book/service", {"service": county.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    page = _main(client.get("/book/hub"))
    assert re.findall(r">\s*(\w+ hub)\s*<", page) == ["Melksham hub", "Trowbridge hub"]
    refused = client.post("/book/hub", data={"csrf_token": csrf_token(page), "hub": county.hub.code})
    assert refused.status_code == 200 and error_summary(refused.get_data(as_text=True))


@time_machine.travel(NOW, tick=False)
def test_a_hub_nobody_can_staff_says_so_and_offers_the_hubs_that_can(client, county):
    """Reached where the hub is given, not chosen: a kiosk at that hub (the journey starts there)."""
    submit_form(client, "/book/service", {"service": county.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    with client.session_transaction() as cookie:  # as the kiosk's start sets it (routes/booking.py)
        cookie["booking"] = cookie["booking"] | {"hub": county.hub.code, "place_done": True}
    main = _main(client.get("/book/time"))
    assert "Devizes hub cannot offer this appointment at the moment" in main
    assert not re.search(SLOT_RADIO, main)
    assert re.findall(r"Book at ([A-Za-z ]+ hub) instead", main) == ["Melksham hub", "Trowbridge hub"]
    assert "Ask for a visit at home instead" in main  # and the home visit page says the same, if so


@time_machine.travel(NOW, tick=False)
def test_a_two_officer_service_with_one_officer_is_not_staffed_and_one_more_officer_brings_times(
    client, county
):
    survey = ServiceFactory(skill=county.skill, two_officers=True, at_hub=False, horizon_days=60)
    OfficerFactory(skills=[county.skill], areas=[county.area])  # one officer in Devizes: not two
    db.session.commit()
    county.service = survey
    main = _main(_home_visit(client, county))
    assert "We cannot visit this address for this service at the moment" in main
    assert "Book at" not in main  # a home-only service: no hub to offer, the phone instead
    assert "0300 456 0100" in main

    OfficerFactory(skills=[county.skill], areas=[county.area])  # a second: the pair can go together
    db.session.commit()
    times = client.get("/book/time").get_data(as_text=True)
    assert re.search(SLOT_RADIO, times) and "We cannot visit" not in times


@time_machine.travel(NOW, tick=False)
def test_the_same_rule_names_the_area_for_supervisors(client, county, sign_in):
    sign_in("supervisor")
    services = client.get("/admin/services").get_data(as_text=True)
    assert f"{county.service.name}: no officer with the skill works in Devizes" in services


# The phone agent's booking screen ------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_agent_gets_a_clear_message_not_an_empty_calendar(client, county, sign_in):
    sign_in("agent")
    caller = CustomerFactory(lat=51.355, lng=-1.99)
    db.session.commit()
    page = client.get(f"/agent/customers/{caller.id}/book?service={county.service.code}&place=home")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    problem = field_error(html, "place")
    assert problem.startswith(f"{county.service.name}: no officer with the skill works in Devizes")
    assert "the waiting list would never offer one" in problem
    assert "Offer a hub that can: Melksham hub (7 miles), Trowbridge hub (10 miles)" in problem
    assert error_summary(html) == [problem]
    assert not re.search(SLOT_RADIO, html) and "No free times" not in html
    assert "Add the caller to the waiting list" not in html

    # At a hub that can, the agent sees times.
    hub = client.get(
        f"/agent/customers/{caller.id}/book?service={county.service.code}&place=hub:{county.melksham.code}"
    ).get_data(as_text=True)
    assert re.search(SLOT_RADIO, hub)


@time_machine.travel(NOW, tick=False)
def test_the_agent_cannot_put_the_caller_on_a_waiting_list_nobody_can_serve(client, county, sign_in):
    sign_in("agent")
    caller = CustomerFactory(lat=51.355, lng=-1.99, phone="+447700900123", sms_consent=True)
    db.session.commit()
    url = f"/agent/customers/{caller.id}/waitlist"
    answer = submit_form(
        client,
        url,
        {
            "service": county.service.code,
            "earliest": ["7", "12", "2026"],
            "latest": ["31", "12", "2026"],
            "times": "any",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "the waiting list would never offer the caller a time" in field_error(html, "service")
    assert db.session.query(WaitlistEntry).count() == 0


# The API ----------------------------------------------------------------------------------------------


def _availability(client, world, **params):
    query = {"service": world.service.code, "location_type": "home", "postcode": "SN10 1AB"} | params
    return client.get("/api/v1/availability", query_string=query)


@time_machine.travel(NOW, tick=False)
def test_the_api_answers_409_with_the_field_the_hubs_that_can_and_the_phone(client, county):
    spec = OpenAPI.from_dict(client.get("/api/v1/openapi.json").get_json())
    response = _availability(client, county)
    assert response.status_code == 409
    data = response.get_json()
    assert data["error"] == "not_staffed" and list(data["errors"]) == ["location_type"]
    assert "no waiting list" in data["errors"]["location_type"][0]
    assert [h["code"] for h in data["hubs"]] == [county.melksham.code, county.trowbridge.code]
    assert data["phone"] == "0300 456 0100"
    _conforms(spec, "GET", "/api/v1/availability", response)

    at_hub = _availability(client, county, location_type="hub", hub=county.hub.code)
    assert at_hub.status_code == 409 and list(at_hub.get_json()["errors"]) == ["hub"]
    assert "Devizes hub" in at_hub.get_json()["message"]
    open_hub = _availability(client, county, location_type="hub", hub=county.melksham.code, days="7")
    assert open_hub.status_code == 200 and open_hub.get_json()["slots"]


# An unknown postcode on a home-only service ----------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_an_unknown_postcode_is_not_called_outside_the_area(client, county):
    home_only = ServiceFactory(skill=county.skill, at_hub=False, horizon_days=60)
    db.session.commit()
    submit_form(client, "/book/service", {"service": home_only.code})
    made_up = submit_form(client, "/book/postcode", {"postcode": "ZZ9 9ZZ"}).get_data(as_text=True)
    assert field_error(made_up, "postcode") == (
        "We do not recognise that postcode. Check each letter and number and enter it again, "
        "for example SN10 1HJ"
    )
    assert "Wiltshire Council area" not in made_up
    # A real postcode elsewhere (Swindon) is outside the area, and says so.
    swindon = submit_form(client, "/book/postcode", {"postcode": "SN1 1AA"}).get_data(as_text=True)
    assert field_error(swindon, "postcode").startswith(
        "We cannot find that postcode in the Wiltshire Council area"
    )
