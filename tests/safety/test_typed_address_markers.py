"""A typed address ("My address is not listed", or an API booking without a UPRN) whose house the
gazetteer does not list in that postcode takes every marker in the postcode: typing "Twelve High Street"
or "l2 High St" stepped round the marker on 12 High Street (attack finding). A listed house, typed or
chosen, keeps the exact rule, so the neighbours are not touched."""

from __future__ import annotations

import pytest
import time_machine

from app.extensions import db
from app.models import Address, RiskMarker
from app.risk import risk
from tests.booking_helpers import NOW, World
from tests.factories import AppointmentFactory
from tests.pages import submit_form
from tests.safety.test_risk_here import _add


def _mark(precaution: str, postcode: str, line1: str) -> None:
    _add(precaution, postcode=postcode, line1=line1)


def _gazetteer() -> None:
    """12 and 14 High Street, SN10 1AA, with their UPRNs."""
    for uprn, line1 in (("100123", "12 High Street"), ("100124", "14 High Street")):
        db.session.add(
            Address(uprn=uprn, line1=line1, town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
        )


def _visit(world: World, line1: str, uprn: str, hour: int):
    """A booked visit on Monday at this address of SN10 1AA, with one officer."""
    return AppointmentFactory(
        service=world.service,
        officer=world.officers[0],
        address_line1=line1,
        postcode="SN10 1AA",
        uprn=uprn,
        window_start=NOW.replace(day=7, hour=hour),
    )


@pytest.fixture
def street():
    """12 and 14 High Street in the gazetteer; 12 is marked 'hub or office only'."""
    _gazetteer()
    _mark("hub_only", "SN10 1AA", "12 High Street")
    db.session.commit()


@pytest.mark.parametrize(
    ("line1", "uprn", "expected"),
    [
        ("Twelve High Street", "", "hub_only"),  # no number: which house is it?
        ("l2 High St", "", "hub_only"),  # a letter for a digit
        ("The Old Forge, High Street", "", "hub_only"),  # a name the gazetteer does not list here
        ("Flat 1, 12 High Street", "", "hub_only"),  # the marked building, exactly
        ("14 High Street", "", None),  # a listed neighbour, typed: the exact rule
        ("14 High Street", "100124", None),  # chosen from the list
        ("12 High Street", "100123", "hub_only"),
        # A UPRN sent with the address (the API takes one) does not make a typed house a listed one:
        ("Twelve High Street", "999999", "hub_only"),  # a UPRN the gazetteer does not hold
        ("Twelve High Street", "100124", "hub_only"),  # the unmarked neighbour's UPRN
        ("14 High Street", "100123", "hub_only"),  # the marked house's UPRN: its marker still counts
    ],
)
def test_a_typed_house_the_gazetteer_does_not_list_takes_the_postcodes_markers(street, line1, uprn, expected):
    assert risk.precaution_here("SN10 1AA", line1, uprn) == expected
    assert risk.strongest(risk.markers_for("SN10 1AA", line1, uprn)) == expected  # the staff pages' list


@pytest.mark.parametrize(
    ("line1", "uprn", "expected"),
    [
        ("12 High St", "", "two_officers"),  # the marked house, typed another way: no UPRN of its own
        ("Twelve High Street", "", "two_officers"),
        ("12 High Street", "100123", "two_officers"),  # chosen from the list
        ("14 High Street", "100124", None),  # the neighbour, chosen
        ("14 High St", "", None),  # the neighbour, typed: a listed house keeps the exact rule
    ],
)
def test_a_marker_by_uprn_alone_reaches_its_house_typed_without_one(street, line1, uprn, expected):
    """Attack finding (3 December): a marker placed by UPRN alone (the supervisor's form allows it)
    applied only to a booking carrying that UPRN, so typing the house ("12 High St", not the gazetteer's
    exact words) booked a lone officer there."""
    db.session.query(RiskMarker).delete()
    _add("two_officers", uprn="100123")
    db.session.commit()
    assert risk.precaution_here("SN10 1AA", line1, uprn) == expected
    assert risk.strongest(risk.markers_for("SN10 1AA", line1, uprn)) == expected


@pytest.mark.parametrize(
    ("line1", "expected"),
    [
        ("12 A High Street", "hub_only"),  # 12 or 12A? Both are listed: a precaution too many
        ("12-a High Street", "hub_only"),
        ("12A High Street", "hub_only"),
        ("12 High Street", None),  # the unmarked 12, exactly
    ],
)
def test_a_letter_set_apart_from_the_number_does_not_step_round_the_lettered_house(line1, expected):
    """Attack finding (3 December): with 12 and 12A High Street both listed and 12A marked, typing
    "12 A High Street" read as 12, a listed house, by the exact rule, and booked a lone officer."""
    for uprn, line in (("100123", "12 High Street"), ("100125", "12A High Street")):
        db.session.add(
            Address(uprn=uprn, line1=line, town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
        )
    _mark("hub_only", "SN10 1AA", "12A High Street")
    db.session.commit()
    assert risk.precaution_here("SN10 1AA", line1, "") == expected
    assert risk.strongest(risk.markers_for("SN10 1AA", line1, "")) == expected


def test_a_postcode_the_gazetteer_does_not_list_keeps_the_exact_rule(street):
    """It cannot tell one house from another there: a typed 5 Low Road is not 3 Low Road."""
    _mark("two_officers", "SN10 9ZZ", "3 Low Road")
    db.session.commit()
    assert risk.precaution_here("SN10 9ZZ", "5 Low Road", "") is None
    assert risk.precaution_here("SN10 9ZZ", "3 Low Road", "") == "two_officers"


@time_machine.travel(NOW, tick=False)
def test_a_resident_typing_the_marked_house_another_way_cannot_book_it_online(client, street):
    world = World()
    db.session.commit()
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AA"})
    submit_form(client, "/book/address", {"address": "manual", "line1": "Twelve High Street"})
    page = client.get("/book/time").get_data(as_text=True)
    assert "We cannot book a visit to this address online" in page and 'name="slot"' not in page
    assert "Shouted" not in page  # never why


@time_machine.travel(NOW, tick=False)
def test_a_visit_booked_at_a_typed_unlisted_house_is_listed_for_a_supervisor_when_its_postcode_is_marked():
    """A marker added after the booking re-checks what is booked (risk.recheck): the typed house too."""

    world = World()
    _gazetteer()

    typed, neighbour = (
        _visit(world, "Twelve High Street", "", 10),
        _visit(world, "14 High Street", "100124", 14),
    )
    db.session.flush()
    _mark("two_officers", "SN10 1AA", "12 High Street")
    db.session.commit()
    affected = [v.appointment for v in risk.affected_visits()]
    assert typed in affected and neighbour not in affected


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("uprn", ["999999", "100124"])
def test_an_api_booking_cannot_step_round_the_marker_by_sending_a_uprn(client, bearer, street, uprn):
    """Attack finding (3 December): a typed house sent with any UPRN (made up, or the neighbour's)
    was read by the exact rule alone, so a booking-staff token booked a lone officer at the marked
    house as "Twelve High Street". Now only a house the gazetteer lists there keeps the exact rule."""
    from app.models import Appointment
    from tests.booking_helpers import api_booking

    world = World()
    db.session.commit()
    query = {"service": world.service.code, "location_type": "home", "lat": 51.355, "lng": -1.99}
    slots = client.get("/api/v1/availability", query_string=query, headers=bearer).get_json()["slots"]
    address = {"line1": "Twelve High Street", "town": "Devizes", "postcode": "SN10 1AA", "uprn": uprn}
    answer = client.post(
        "/api/v1/appointments", json=api_booking(world, slots[0]["slot_id"], address=address), headers=bearer
    )
    assert answer.status_code in (409, 422), answer.get_json()
    assert "Shouted" not in answer.get_data(as_text=True)
    assert db.session.query(Appointment).count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_marker_added_by_uprn_alone_lists_the_visit_booked_at_its_house_typed_without_one():
    """The re-check of booked visits (risk.affected_visits) finds what booking would now refuse."""

    world = World()
    _gazetteer()
    typed, neighbour = _visit(world, "12 High St", "", 10), _visit(world, "14 High St", "", 14)
    db.session.flush()
    _add("two_officers", uprn="100123")
    marker = db.session.query(RiskMarker).filter_by(uprn="100123").one()
    db.session.commit()
    affected = [v.appointment for v in risk.recheck(marker)]
    assert typed in affected and neighbour not in affected
