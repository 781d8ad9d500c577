"""An API booking that sends its own lat and lng is checked against its postcode (attack of 3 December):
"12 High Street" with the marked house's coordinates and a made-up postcode (ZZ99 9ZZ), or another town's,
got 201, and the risk register, which reads the postcode and house, never saw the marker. Now the postcode
must be one the council's gazetteer knows (the resident journey's rule) and the point within
places.NEAR_POSTCODE_M of it; the answer is a 422 naming the field, and nothing is booked."""

from __future__ import annotations

import json
import math

import pytest
import time_machine

from app.extensions import db
from app.models import Address, Appointment
from tests.booking_helpers import NOW, World, api_booking
from tests.safety.test_risk_here import _add

MARKED = (51.355, -1.99)  # 12 High Street, Devizes, SN10 1AA: "hub or office only"
MELKSHAM = (51.373, -2.138)  # SN12 6AA, about 10 km west


@pytest.fixture
def world() -> World:
    world = World()
    for uprn, line1, town, postcode, (lat, lng) in (
        ("1", "12 High Street", "Devizes", "SN10 1AA", MARKED),
        ("2", "1 Bank Street", "Melksham", "SN12 6AA", MELKSHAM),
    ):
        db.session.add(Address(uprn=uprn, line1=line1, town=town, postcode=postcode, lat=lat, lng=lng))
    db.session.commit()
    return world


@pytest.fixture
def marked(world: World) -> World:
    """12 High Street is marked "hub or office only": no home visit may be booked there."""
    _add("hub_only", postcode="SN10 1AA", line1="12 High Street")
    db.session.commit()
    return world


def _slot(client, world: World) -> str:
    query = {"service": world.service.code, "location_type": "home", "postcode": "SN10 1AA"}
    query |= {"from": "2026-12-07", "days": "1"}
    return client.get("/api/v1/availability", query_string=query).get_json()["slots"][0]["slot_id"]


def _book(client, bearer, world: World, postcode: str, lat: float, lng: float):
    address = {"line1": "12 High Street", "town": "Devizes", "postcode": postcode, "lat": lat, "lng": lng}
    body = api_booking(world, _slot(client, world), address=address)
    return client.post("/api/v1/appointments", json=body, headers=bearer)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("postcode", "field", "words"),
    [
        ("ZZ99 9ZZ", "address.postcode", "We do not recognise that postcode"),  # in no postcode area
        ("SW1A 1AA", "address.postcode", "We cannot find that postcode in the council's area"),  # London
        ("SN12 6AA", "address.lat", "more than 2 km from SN12 6AA"),  # a real one here, in another town
    ],
)
def test_coordinates_with_a_postcode_that_is_not_theirs_are_refused(
    client, bearer, marked, postcode, field, words
):
    response = _book(client, bearer, marked, postcode, *MARKED)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert list(errors) == [field] and words in errors[field][0]
    assert db.session.query(Appointment).count() == 0


@time_machine.travel(NOW, tick=False)
def test_coordinates_near_their_postcode_book(client, bearer, world):
    """A kilometre from the postcode's listed house (a geocoder's point, a farm down the lane) is fine."""
    north = MARKED[0] + 1000 / 111_195  # 1 km north
    response = _book(client, bearer, world, "sn10 1aa", north, MARKED[1])
    assert response.status_code == 201, response.get_json()
    appointment = db.session.query(Appointment).one()
    assert appointment.postcode == "SN10 1AA" and appointment.lat == pytest.approx(north)


@time_machine.travel(NOW, tick=False)
def test_the_distance_is_from_the_nearest_listed_place_of_the_postcode(client, bearer, world):
    """A long rural postcode: 3 km between its ends, so its centre is 1.5 km from each; a point 2.5 km
    past one end is refused, 1.5 km past it booked."""
    step = 1000 / 111_195  # 1 km of latitude
    db.session.add(
        Address(uprn="3", line1="Far Farm", postcode="SN10 1AA", lat=MARKED[0] + 3 * step, lng=MARKED[1])
    )
    db.session.commit()
    far = _book(client, bearer, world, "SN10 1AA", MARKED[0] - 2.5 * step, MARKED[1])
    assert far.status_code == 422 and "address.lat" in far.get_json()["errors"]
    near = _book(client, bearer, world, "SN10 1AA", MARKED[0] - 1.5 * step, MARKED[1])
    assert near.status_code == 201, near.get_json()


@time_machine.travel(NOW, tick=False)
def test_availability_checks_coordinates_with_a_postcode_as_booking_does(client, world):
    query = {"service": world.service.code, "location_type": "home", "from": "2026-12-07", "days": "1"}
    far = client.get(
        "/api/v1/availability",
        query_string=query | {"postcode": "SN12 6AA", "lat": MARKED[0], "lng": MARKED[1]},
    )
    assert far.status_code == 422 and list(far.get_json()["errors"]) == ["lat"]
    made_up = client.get(
        "/api/v1/availability",
        query_string=query | {"postcode": "ZZ99 9ZZ", "lat": MARKED[0], "lng": MARKED[1]},
    )
    assert made_up.status_code == 422 and list(made_up.get_json()["errors"]) == ["postcode"]


def test_the_rule_refuses_coordinates_that_are_not_numbers(app):
    from app.places.places import UnknownPostcode, check_near_postcode

    for lat, lng in ((math.nan, MARKED[1]), (MARKED[0], math.inf)):
        with pytest.raises(UnknownPostcode) as refused:
            check_near_postcode("SN10 1AA", lat, lng)
        assert refused.value.field == "lat"


@time_machine.travel(NOW, tick=False)
def test_a_latitude_without_a_longitude_is_refused_not_ignored(client, bearer, world):
    body = api_booking(world, _slot(client, world))
    body["address"] |= {"lat": MELKSHAM[0]}
    response = client.post("/api/v1/appointments", json=body, headers=bearer)
    assert response.status_code == 422 and "together" in response.get_json()["errors"]["address.lat"][0]
    assert db.session.query(Appointment).count() == 0


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("NaN", "finite number"),  # Python's JSON reader takes NaN, Infinity and 1e400 (infinity)
        ("Infinity", "finite number"),
        ("-Infinity", "finite number"),
        ("1e400", "finite number"),
        ("9" * 400, "valid number"),  # an integer too big for a float
        ('"51.355"', "valid number"),
        ("true", "valid number"),
        ("[51.355]", "valid number"),
    ],
)
def test_odd_coordinates_are_422_on_the_field_never_500(client, bearer, world, raw, words):
    body = api_booking(world, _slot(client, world))
    body["address"] |= {"lat": "LAT", "lng": MARKED[1]}
    text = json.dumps(body).replace('"LAT"', raw)
    response = client.post(
        "/api/v1/appointments", data=text, headers=bearer | {"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert words in response.get_json()["errors"]["address.lat"][0]
    assert db.session.query(Appointment).count() == 0


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "postcode",
    [
        "\uff33\uff2e10 1AA",  # full-width letters: not a postcode, though they look like one
        "SN\u0661\u0660 1AA",  # Arabic-Indic digits
        "SN10 1A\u200b",  # a zero-width space
    ],
)
def test_a_postcode_in_odd_unicode_is_422_on_the_postcode(client, bearer, world, postcode):
    response = _book(client, bearer, world, postcode, *MARKED)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert list(response.get_json()["errors"]) == ["address.postcode"]
    assert db.session.query(Appointment).count() == 0
