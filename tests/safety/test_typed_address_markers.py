"""A typed address ("My address is not listed", or an API booking without a UPRN) whose house the
gazetteer does not list in that postcode takes every marker in the postcode: typing "Twelve High Street"
or "l2 High St" stepped round the marker on 12 High Street (attack finding). A listed house, typed or
chosen, keeps the exact rule, so the neighbours are not touched."""

from __future__ import annotations

import pytest
import time_machine

from app.extensions import db
from app.models import Address
from app.risk import risk
from tests.booking_helpers import NOW, World
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
    ],
)
def test_a_typed_house_the_gazetteer_does_not_list_takes_the_postcodes_markers(street, line1, uprn, expected):
    assert risk.precaution_here("SN10 1AA", line1, uprn) == expected
    assert risk.strongest(risk.markers_for("SN10 1AA", line1, uprn)) == expected  # the staff pages' list


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
    from tests.factories import AppointmentFactory

    world = World()
    _gazetteer()

    def visit(line1: str, uprn: str, hour: int):
        return AppointmentFactory(
            service=world.service,
            officer=world.officers[0],
            address_line1=line1,
            postcode="SN10 1AA",
            uprn=uprn,
            window_start=NOW.replace(day=7, hour=hour),
        )

    typed, neighbour = visit("Twelve High Street", "", 10), visit("14 High Street", "100124", 14)
    db.session.flush()
    _mark("two_officers", "SN10 1AA", "12 High Street")
    db.session.commit()
    affected = [v.appointment for v in risk.affected_visits()]
    assert typed in affected and neighbour not in affected
