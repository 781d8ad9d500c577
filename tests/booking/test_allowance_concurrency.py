"""A public allowance holds however many bookings arrive at once (PostgreSQL): second attack, December
2026, when 8 bookings sent together for one address all went through against an allowance of 3."""

from __future__ import annotations

import pytest

from app.booking.availability import search
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.errors import SlotUnavailable, TooManyBookings, TooManyLetters
from app.extensions import db
from app.models import Appointment, Service
from app.places.places import Place
from tests.booking_helpers import MONDAY, NOW, World, book_at_once

pytestmark = pytest.mark.postgres

SENT_AT_ONCE = 8
ALLOWANCE = 3
REFUSALS = {TooManyBookings: "refused", TooManyLetters: "refused", SlotUnavailable: "gone"}


def _public_requests(details_for, line1_for) -> list:
    """SENT_AT_ONCE public web bookings, each of its own free time, for the customer details and
    address line each index gives."""
    world = World(officers=2)
    db.session.commit()
    tokens = [s.token for s in search(world.service, world.home(), MONDAY, 3, now=NOW).slots]
    db.session.commit()
    assert len(tokens) >= SENT_AT_ONCE
    service_id, area_id = world.service.id, world.area.id

    def make(i):
        def request():
            return BookingRequest(
                slot_token=tokens[i],
                service=db.session.get(Service, service_id),
                place=Place("home", 51.355, -1.99, area_id, line1=line1_for(i), postcode="SN10 1AA"),
                customer=details_for(i),
                channel="web",
                unverified=True,
            )

        return request

    return [make(i) for i in range(SENT_AT_ONCE)]


def test_public_bookings_sent_at_once_for_one_phone_make_exactly_its_allowance(app, committed, configure):
    configure(public_bookings_per_contact_per_day=ALLOWANCE)
    requests = _public_requests(
        lambda i: CustomerDetails(name=f"Caller {i}", phone="+447700900123"), lambda i: f"{i} High Street"
    )
    outcomes = book_at_once(app, requests, REFUSALS)
    assert outcomes.count("booked") == ALLOWANCE
    assert outcomes.count("refused") == SENT_AT_ONCE - ALLOWANCE
    assert db.session.query(Appointment).count() == ALLOWANCE


def test_letter_bookings_sent_at_once_to_one_address_make_exactly_its_allowance(app, committed, configure):
    """Each with its own name and no phone or email, to one door (its line in capitals or not)."""
    configure(public_letter_bookings_per_address_per_day=ALLOWANCE)
    ways = ["4 High Street", "4 HIGH STREET", "4 high street"]
    requests = _public_requests(
        lambda i: CustomerDetails(name=f"Letter Person {i}", preferred_channel="post"),
        lambda i: ways[i % len(ways)],
    )
    outcomes = book_at_once(app, requests, REFUSALS)
    assert outcomes.count("booked") == ALLOWANCE
    assert outcomes.count("refused") == SENT_AT_ONCE - ALLOWANCE


def test_one_submission_sent_several_times_at_once_gets_its_one_booking_at_the_allowance(
    app, committed, configure
):
    """A double-click on the last booking the allowance has room for: each copy waits for the first,
    counts its booking, and is answered with it rather than refused."""
    configure(public_bookings_per_contact_per_day=1)
    first = _public_requests(lambda i: CustomerDetails(name="Jo Bloggs", phone="+447700900123"), str)[0]

    def the_same_submission():
        request = first()
        request.idempotency_scope, request.idempotency_key = "web", "submission-1"
        request.request_fingerprint = {"submission": "submission-1"}
        return request

    outcomes = book_at_once(app, [the_same_submission] * 4, REFUSALS)
    assert outcomes == ["booked"] * 4
    assert db.session.query(Appointment).count() == 1
