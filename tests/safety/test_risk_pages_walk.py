"""The evening walk of the risk register as a supervisor: each test failed before its fix."""

from __future__ import annotations

import re
from datetime import date

import time_machine

from app.extensions import db
from app.models import Address, RiskMarker
from app.risk import risk
from tests.booking_helpers import NOW, World, at
from tests.factories import AppointmentFactory, UserFactory
from tests.pages import csrf_token
from tests.safety_helpers import sign_in_as


def _proposed_by(user) -> RiskMarker:
    marker = risk.add_marker(
        user=user,
        category="violence",
        precaution="two_officers",
        reason="Threatened an officer",
        review_on=date(2027, 6, 1),
        postcode="SN10 1AA",
        line1="12 High Street",
    )
    db.session.commit()
    return marker


def test_whoever_proposed_a_marker_is_told_it_waits_for_another_supervisor_not_offered_approve(client):
    """The proposer was offered 'Approve marker', which can only answer 'Someone other than the
    person who proposed the marker must approve it'."""
    proposer, colleague = UserFactory(role="supervisor"), UserFactory(role="supervisor")
    marker = _proposed_by(proposer)
    sign_in_as(client, proposer)
    page = client.get(f"/supervisor/risk/{marker.id}").get_data(as_text=True)
    assert "Approve marker" not in page and "another supervisor must approve it" in page
    assert "Withdraw marker" in page  # they may still take it back
    client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    sign_in_as(client, colleague)
    page = client.get(f"/supervisor/risk/{marker.id}").get_data(as_text=True)
    assert "Approve marker" in page and "Reject marker" in page
    assert "another supervisor must approve it" not in page


@time_machine.travel(NOW, tick=False)
def test_a_visit_needing_a_decision_shows_its_reference_as_residents_read_it_and_how_to_act(client):
    world = World()
    appointment = AppointmentFactory(
        service=world.service,
        officer=world.officers[0],
        window_start=at(10),
        reference="K7MP3QXA",
        postcode="SN10 1AA",
        address_line1="12 High Street",
    )
    supervisor = UserFactory(role="supervisor")
    db.session.commit()
    marker = _proposed_by(supervisor)
    shown = f"{appointment.reference[:4]}-{appointment.reference[4:]}"
    sign_in_as(client, supervisor)
    page = client.get(f"/supervisor/risk/{marker.id}").get_data(as_text=True)
    assert f"{shown}, " in page and f">{appointment.reference}," not in page
    decide = client.get(f"/supervisor/risk/visits/{appointment.id}/{marker.id}").get_data(as_text=True)
    assert f"Decide about visit {shown}" in decide
    links = re.findall(r'href="([^"]+)"', decide)
    assert f"/agent/appointments/{appointment.id}/move" in links
    assert f"/agent/appointments/{appointment.id}/cancel" in links
    assert f"/agent/customers/{appointment.customer_id}" in links


def test_the_marker_page_names_the_addresses_it_covers_or_says_none_matches(client):
    """It said "On: 5, BA12 4TW": a mistyped house number could not be spotted."""
    for uprn, line1 in [("1", "12 High Street"), ("2", "Flat 1, 12 High Street"), ("3", "14 High Street")]:
        db.session.add(Address(uprn=uprn, line1=line1, town="Devizes", postcode="SN10 1AA", lat=51.3, lng=-2))
    supervisor = UserFactory(role="supervisor")
    marker = _proposed_by(supervisor)  # 12 High Street, SN10 1AA
    mistyped = risk.add_marker(
        user=supervisor, category="violence", precaution="two_officers", reason="Dog",
        review_on=date(2027, 6, 1), postcode="SN10 1AA", line1="21 High Street",
    )  # fmt: skip
    db.session.commit()
    sign_in_as(client, supervisor)
    page = " ".join(client.get(f"/supervisor/risk/{marker.id}").get_data(as_text=True).split())
    assert "12 High Street, Devizes" in page and "Flat 1, 12 High Street" in page  # the flats behind it
    assert "14 High Street" not in page and "No address in the gazetteer matches" not in page
    wrong = " ".join(client.get(f"/supervisor/risk/{mistyped.id}").get_data(as_text=True).split())
    assert "No address in the gazetteer matches: check the house number" in wrong
