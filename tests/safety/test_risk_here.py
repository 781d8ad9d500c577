"""Which risk markers are in force at a place, and the precaution a booking takes from them: the list
(`markers_for`, read through the ORM for the staff pages) and the strongest precaution alone
(`precaution_here`, read straight from the driver for every booking and search) follow one rule."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from app.extensions import db
from app.risk import risk
from app.staff.tokens import create_token
from tests.booking_helpers import NOW, World, api_booking, api_home_slot
from tests.factories import CustomerFactory, UserFactory
from tests.safety.test_lone_working import _marker


def _add(precaution: str, **where) -> None:
    risk.add_marker(
        user=UserFactory(role="supervisor"),
        category="violence",
        precaution=precaution,
        reason="Shouted at an officer",
        review_on=date(2027, 6, 1),
        **where,
    )


@pytest.fixture
def register():
    """An address marker, a UPRN marker, a person's marker, and a withdrawn marker that applies no more."""
    person, stranger = CustomerFactory(), CustomerFactory()
    _add("two_officers", postcode="sn10 1aa", line1="12 High Street")
    _add("hub_only", uprn="100200300")
    _add("manager_approval", customer=person)
    _add("information", postcode="SN10 1AA", line1="14 High Street")
    _add("hub_only", postcode="SN10 1AA", line1="16 High Street")
    db.session.flush()
    withdrawn = risk.markers_for("SN10 1AA", "16 High Street")[0]
    withdrawn.active = False
    db.session.commit()
    return person, stranger


PLACES = [
    # (postcode, line1, uprn, whose record) -> the precaution in force
    (("SN10 1AA", "12, High St", "", None), "two_officers"),  # the house number matches, any spelling
    (("SN101AA", "Flat 3, 12 High Street", "", None), "two_officers"),  # a flat in the marked building
    (("SN10 1AA", "", "", None), None),  # a postcode without a house places no marker
    (("", "12 High Street", "", None), None),
    (("SN10 1AA", "14 High Street", "", None), "information"),
    (("SN10 1AA", "16 High Street", "", None), None),  # withdrawn
    (("SN99 9ZZ", "1 Other Road", "100200300", None), "hub_only"),  # by UPRN alone
    (("SN10 1AA", "12 High Street", "100200300", None), "hub_only"),  # the strictest of two
    (("SN99 9ZZ", "1 Other Road", "", "person"), "manager_approval"),  # the person, at any address
    (("SN10 1AA", "12 High Street", "", "person"), "manager_approval"),
    (("SN99 9ZZ", "1 Other Road", "", "stranger"), None),
    (("", "", "", None), None),
]


@pytest.mark.parametrize(("where", "expected"), PLACES)
def test_the_precaution_here_is_the_strongest_of_the_markers_in_force(register, where, expected):
    person, stranger = register
    postcode, line1, uprn, whose = where
    customer = {"person": person, "stranger": stranger, None: None}[whose]
    markers = risk.markers_for(postcode, line1, uprn, customer)
    assert risk.strongest(markers) == expected
    assert risk.precaution_here(postcode, line1, uprn, customer) == expected


def test_a_customer_not_yet_stored_places_no_marker(register):
    assert risk.precaution_here("SN99 9ZZ", "1 Other Road", "", CustomerFactory.build()) is None


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("precaution", ["hub_only", "manager_approval"])
def test_an_api_booking_to_an_address_marked_since_the_search_is_refused_without_saying_why(
    client, precaution
):
    world = World()
    slot = api_home_slot(client, world)
    _marker(precaution)  # 12 High Street, SN10 1AA: marked after the times were offered
    db.session.commit()
    response = _book(client, world, slot)
    assert response.status_code == 422
    message = response.get_json()["errors"]["location_type"][0]
    assert message.startswith("We cannot book a visit to this address online")
    assert "knife" not in response.get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_an_api_booking_of_a_lone_visit_to_a_two_officer_address_is_refused(client):
    world = World(officers=2)
    slot = api_home_slot(client, world)  # one officer's time
    _marker("two_officers")
    db.session.commit()
    assert _book(client, world, slot).status_code == 409


def _book(client, world: World, slot: str):
    secret = create_token(UserFactory(role="agent"), "risk")
    db.session.commit()
    return client.post(
        "/api/v1/appointments", json=api_booking(world, slot), headers={"Authorization": f"Bearer {secret}"}
    )


@time_machine.travel(NOW, tick=False)
def test_a_public_search_that_a_marker_answers_is_audited_and_never_says_why(client):
    """An outsider attack walked a street's addresses through the resident journey to find which hold
    a marker (only those answer "We cannot book a visit to this address online"). The page still says
    nothing of why; each such answer is in the audit log with the caller's address, so a walk shows."""
    from app.models import Address, AuditEvent
    from tests.pages import home_visit_times

    world = World()
    for uprn, line1 in (("100123", "12 High Street"), ("100124", "14 High Street")):
        db.session.add(
            Address(uprn=uprn, line1=line1, town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
        )
    _add("hub_only", postcode="SN10 1AA", line1="12 High Street")
    db.session.commit()

    def time_page_for(uprn: str) -> str:
        address = db.session.query(Address).filter_by(uprn=uprn).one()
        return home_visit_times(client, world.service.code, "SN10 1AA", address.id)

    neighbour = time_page_for("100124")
    assert 'name="slot"' in neighbour
    assert db.session.query(AuditEvent).filter_by(action="restricted_address_searched").count() == 0
    marked = time_page_for("100123")
    assert "We cannot book a visit to this address online" in marked and 'name="slot"' not in marked
    assert "Shouted" not in marked and "violence" not in marked
    entry = db.session.query(AuditEvent).filter_by(action="restricted_address_searched").one()
    assert entry.object_id == "100123" and entry.ip and entry.user_id is None


def test_a_proposed_marker_applies_at_once_and_a_rejected_one_no_more():
    """Decided (outsider attack, December 2026): a proposal not yet approved already applies, a
    precaution too many rather than one too few for an officer's safety; a second person's rejection
    ends it at once."""
    proposer, checker = UserFactory(role="officer"), UserFactory(role="supervisor")
    marker = risk.add_marker(
        user=proposer,
        category="violence",
        precaution="two_officers",
        reason="Threatened an officer",
        review_on=date(2027, 6, 1),
        postcode="SN10 1AB",
        line1="3 Mill Lane",
    )
    db.session.flush()
    assert marker.proposed
    assert risk.precaution_here("SN10 1AB", "3 Mill Lane") == "two_officers"
    risk.reject(marker, checker)
    db.session.flush()
    assert risk.precaution_here("SN10 1AB", "3 Mill Lane") is None
