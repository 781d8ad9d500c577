"""API v1: JSON in and out, clear 4xx errors with field names, responses that match the document."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from app.extensions import db
from app.models import Address, Appointment
from tests.booking_helpers import NOW, World, api_booking


@pytest.fixture
def spec(client):
    return OpenAPI.from_dict(client.get("/api/v1/openapi.json").get_json())


def _conforms(spec, method, path, response, body=None, headers=None):
    builder = EnvironBuilder(path=path, method=method, json=body, headers=headers or {})
    request = WerkzeugOpenAPIRequest(Request(builder.get_environ()))
    spec.validate_response(request, WerkzeugOpenAPIResponse(response))


def _world():
    world = World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    db.session.commit()
    return world


def _availability(client, world, **params):
    query = {
        "service": world.service.code,
        "location_type": "home",
        "postcode": "SN10 1AA",
        "from": "2026-12-07",
        "days": "1",
    } | params
    return client.get("/api/v1/availability", query_string=query)


def test_openapi_document_is_valid_and_lists_every_api_route(app, client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    routes = {
        r.rule.replace("<reference>", "{reference}")
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/api/v1/")
    }
    assert routes == set(document["paths"])


# What clients were promised when the document was written by hand: the generated one keeps it all.
PROMISED = {
    ("get", "/api/v1/openapi.json"): {"200", "422"},
    ("get", "/api/v1/services"): {"200", "422", "429"},
    ("get", "/api/v1/hubs"): {"200", "422", "429"},
    ("get", "/api/v1/availability"): {"200", "409", "422", "429"},  # 409: not_staffed there
    ("post", "/api/v1/appointments"): {"201", "401", "403", "409", "413", "422"},
    ("get", "/api/v1/appointments/{reference}"): {"200", "401", "404", "422"},
    ("get", "/api/v1/appointments/{reference}/messages"): {"200", "401", "404", "422"},
    ("post", "/api/v1/appointments/{reference}/cancel"): {"200", "401", "403", "404", "409", "413", "422"},
    ("post", "/api/v1/appointments/{reference}/reschedule"): {
        "200",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    },
    ("get", "/api/v1/appointments/{reference}/calendar.ics"): {"200", "404", "422", "429"},
}
COMPONENTS = {"AddressIn", "Appointment", "AppointmentIn", "CancelIn", "Conflict", "CustomerIn", "Error"}
COMPONENTS |= {"ErrorList", "Hub", "MessageOut", "RescheduleIn", "Service", "Slot"}


def test_the_generated_document_keeps_every_path_status_and_name_clients_use(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = {
        (method, path): set(op["responses"])
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    }
    assert operations == PROMISED
    assert set(document["components"]["schemas"]) >= COMPONENTS
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(set(ids)) == len(ids) == len(PROMISED)
    booking = document["paths"]["/api/v1/appointments"]["post"]
    assert booking["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/AppointmentIn")
    assert booking["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    cancel = document["paths"]["/api/v1/appointments/{reference}/cancel"]["post"]
    assert cancel["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/Conflict")


def test_services_and_hubs_are_public(client, spec):
    world = _world()
    services = client.get("/api/v1/services")
    assert world.service.code in {s["code"] for s in services.get_json()["services"]}
    _conforms(spec, "GET", "/api/v1/services", services)
    hubs = client.get("/api/v1/hubs")
    assert hubs.get_json()["hubs"][0]["code"] == world.hub.code
    _conforms(spec, "GET", "/api/v1/hubs", hubs)


@time_machine.travel(NOW, tick=False)
def test_availability_gives_slots_in_uk_time(client, spec):
    world = _world()
    response = _availability(client, world)
    assert response.status_code == 200
    slots = response.get_json()["slots"]
    assert len(slots) == 4 and slots[0]["start"].endswith("+00:00")  # GMT in December
    assert {s["kind"] for s in slots} == {"arrival_window"}
    _conforms(spec, "GET", "/api/v1/availability", response)
    by_latlng = _availability(client, world, postcode="", lat="51.355", lng="-1.99")
    assert len(by_latlng.get_json()["slots"]) == 4


@time_machine.travel(NOW, tick=False)
def test_availability_bad_input_names_the_fields(client):
    world = _world()
    response = _availability(client, world, service="nope", days="99", colour="blue")
    errors = response.get_json()["errors"]
    assert response.status_code == 422 and {"service", "days", "colour"} <= set(errors)
    unknown = _availability(client, world, postcode="ZZ1 1ZZ")
    assert unknown.status_code == 422 and "postcode" in unknown.get_json()["errors"]
    # A place outside the UK (an outsider attack sent 1e308): refused as a body's address is.
    far = _availability(client, world, postcode="", lat="1e308", lng="-1e308")
    assert far.status_code == 422 and {"lat", "lng"} <= set(far.get_json()["errors"])


@time_machine.travel(NOW, tick=False)
def test_booking_needs_a_bearer_token(client):
    world = _world()
    response = client.post("/api/v1/appointments", json=api_booking(world, "x" * 20))
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorised"


@time_machine.travel(NOW, tick=False)
def test_book_then_the_slot_is_gone(client, bearer, spec):
    world = _world()
    slot = _availability(client, world).get_json()["slots"][0]["slot_id"]
    response = client.post("/api/v1/appointments", json=api_booking(world, slot), headers=bearer)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert {"reference", "status", "start", "end", "manage_url", "ics_url"} <= set(data)
    assert data["status"] == "booked" and data["officer_first_name"] == world.officers[0].first_name
    _conforms(spec, "POST", "/api/v1/appointments", response, body=api_booking(world, slot), headers=bearer)
    again = client.post(
        "/api/v1/appointments",
        json=api_booking(world, slot, customer={"name": "Other Person", "phone": "07700900999"}),
        headers=bearer,
    )
    assert again.status_code == 409 and again.get_json()["error"] == "slot_unavailable"


@time_machine.travel(NOW, tick=False)
def test_idempotency_key_returns_the_same_booking(client, bearer):
    world = _world()
    slot = _availability(client, world).get_json()["slots"][0]["slot_id"]
    headers = bearer | {"Idempotency-Key": "order-42"}
    first = client.post("/api/v1/appointments", json=api_booking(world, slot), headers=headers)
    second = client.post("/api/v1/appointments", json=api_booking(world, slot), headers=headers)
    assert first.status_code == 201 and second.status_code == 201
    assert first.get_json()["reference"] == second.get_json()["reference"]
    assert db.session.query(Appointment).count() == 1
    different = client.post(
        "/api/v1/appointments", json=api_booking(world, slot, notes="changed"), headers=headers
    )
    assert different.status_code == 409 and different.get_json()["error"] == "idempotency_conflict"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"location_type": "garden"}, "location_type"),
        ({"customer": {"name": "Jo", "phone": 7700900123}}, "customer.phone"),
        ({"customer": {"name": "Jo", "phone": "01380 123456"}}, "customer.phone"),
        ({"customer": {"name": "Jo", "phone": "07700900123", "email": "not-an-email"}}, "customer.email"),
        ({"address": {"line1": "1 Road", "postcode": "ZZ1 1ZZ"}}, "address.postcode"),
        ({"address": None}, "address"),
    ],
)
def test_bad_booking_bodies_are_422_with_field_names(client, bearer, change, field):
    world = _world()
    slot = _availability(client, world).get_json()["slots"][0]["slot_id"]
    response = client.post("/api/v1/appointments", json=api_booking(world, slot, **change), headers=bearer)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert db.session.query(Appointment).count() == 0


def test_non_json_body_is_422(client, bearer):
    response = client.post("/api/v1/appointments", data="hello", headers=bearer)
    assert response.status_code == 422 and "body" in response.get_json()["errors"]


@time_machine.travel(NOW, tick=False)
def test_get_cancel_reschedule_and_calendar(client, bearer, spec):
    world = _world()
    slots = _availability(client, world).get_json()["slots"]
    booked = client.post(
        "/api/v1/appointments", json=api_booking(world, slots[0]["slot_id"]), headers=bearer
    ).get_json()
    reference = booked["reference"]
    fetched = client.get(f"/api/v1/appointments/{reference}", headers=bearer)
    assert fetched.get_json()["reference"] == reference
    _conforms(spec, "GET", f"/api/v1/appointments/{reference}", fetched, headers=bearer)
    assert client.get("/api/v1/appointments/NOPE1234", headers=bearer).status_code == 404

    ics_path = booked["ics_url"].split("://", 1)[1].partition("/")[1:]  # the path and query
    ics_path = "".join(ics_path)
    calendar = Calendar.from_ical(client.get(ics_path).data)
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]) == f"{reference}@doorstep" and int(event["sequence"]) == 0
    assert client.get(f"/api/v1/appointments/{reference}/calendar.ics").status_code == 404  # no token

    fresh = _availability(client, world).get_json()["slots"]
    target = next(s for s in fresh if s["start"] != booked["start"])
    moved = client.post(
        f"/api/v1/appointments/{reference}/reschedule", json={"slot_id": target["slot_id"]}, headers=bearer
    )
    assert moved.status_code == 200 and moved.get_json()["start"] == target["start"]
    assert int(Calendar.from_ical(client.get(ics_path).data).walk("VEVENT")[0]["sequence"]) == 1

    cancelled = client.post(
        f"/api/v1/appointments/{reference}/cancel", json={"reason": "No longer needed"}, headers=bearer
    )
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    event = Calendar.from_ical(client.get(ics_path).data).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED" and str(event["uid"]) == f"{reference}@doorstep"
    twice = client.post(f"/api/v1/appointments/{reference}/cancel", json={}, headers=bearer)
    assert twice.status_code == 409


@time_machine.travel(NOW, tick=False)
def test_when_nothing_is_free_the_api_says_when_something_is(client, spec):
    from datetime import date

    from app.models import Absence

    world = _world()
    # The only officer is away for the first week asked about.
    db.session.add(
        Absence(
            officer=world.officers[0], kind="leave", starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 11)
        )
    )
    db.session.commit()
    response = _availability(client, world, days="5")
    data = response.get_json()
    assert data["slots"] == [] and data["next_available"] == "2026-12-14"
    assert data["hub_possible"] is True
    _conforms(spec, "GET", "/api/v1/availability", response)


@time_machine.travel(NOW, tick=False)
def test_a_business_books_through_the_api_with_its_own_name_type_and_premises(client, bearer, spec):
    from app.models import Customer

    world = _world()
    world.service.at_business = True
    db.session.commit()
    schema = spec.spec / "components" / "schemas" / "CustomerIn" / "properties"
    assert "business_name" in schema and "business_type" in schema
    slots = _availability(client, world, location_type="business").get_json()["slots"]
    slot = slots[0]["slot_id"]
    body = api_booking(
        world,
        slot,
        location_type="business",
        customer={
            "name": "Ann Baker",
            "phone": "01380 722000",
            "preferred_channel": "none",
            "business_name": "Baker's Bakes",
            "business_type": "Bakery",
        },
    )
    response = client.post("/api/v1/appointments", json=body, headers=bearer)
    assert response.status_code == 201, response.get_json()
    customer = db.session.query(Customer).filter_by(name="Ann Baker").one()
    assert (customer.kind, customer.business_name, customer.business_type) == (
        "business",
        "Baker's Bakes",
        "Bakery",
    )
    assert customer.premises_line1 == "12 High Street" and customer.address_line1 == ""  # premises, not home
    assert customer.phone == "+441380722000"
    texted = client.post(
        "/api/v1/appointments",
        json=body
        | {"slot_id": slots[1]["slot_id"], "customer": body["customer"] | {"preferred_channel": "sms"}},
        headers=bearer,
    )
    assert texted.status_code == 422 and "customer.phone" in texted.get_json()["errors"]


def _ics_event(client, ics_url: str):
    path = "".join(ics_url.split("://", 1)[1].partition("/")[1:])  # the path and query
    return Calendar.from_ical(client.get(path).data).walk("VEVENT")[0]


@time_machine.travel(NOW, tick=False)
def test_an_exact_hub_time_ends_when_the_appointment_does(client, bearer, spec):
    """`end` was `start` for an exact hub time: a client reads it as when the appointment ends."""
    world = _world()  # the service takes 45 minutes
    available = _availability(client, world, location_type="hub", hub=world.hub.code, postcode="")
    slot = available.get_json()["slots"][0]
    assert slot["kind"] == "exact"
    assert datetime.fromisoformat(slot["end"]) - datetime.fromisoformat(slot["start"]) == timedelta(
        minutes=45
    )
    _conforms(spec, "GET", "/api/v1/availability", available)
    body = api_booking(world, slot["slot_id"], location_type="hub", hub=world.hub.code, address=None)
    booked = client.post("/api/v1/appointments", json=body, headers=bearer).get_json()
    assert (booked["start"], booked["end"]) == (slot["start"], slot["end"])
    event = _ics_event(client, booked["ics_url"])  # the calendar file says the same
    assert event["dtend"].dt == datetime.fromisoformat(booked["end"])
    # An arrival window keeps its end: the latest arrival, as the pages show it ("9am to 11am").
    window = _availability(client, world).get_json()["slots"][0]
    assert window["kind"] == "arrival_window"
    assert datetime.fromisoformat(window["end"]) - datetime.fromisoformat(window["start"]) == timedelta(
        hours=2
    )
